/**
 * Monitoring: one CloudWatch dashboard for the whole pipeline and the alarms that page ops,
 * both built from the resources actually passed in (a disabled subsystem simply has no widgets
 * and no alarms). Every alarm notifies the ops topic on ALARM and on OK.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TrackedFunction, TrackedQueue } from "./inventory";

const FIVE_MINUTES = 300;

// --- Thresholds, each with the reason it is where it is -------------------------------------
/** The stream keeps records 24 h; a consumer 30 min behind has stalled, with most of a day left to fix it before data is lost. */
export const ITERATOR_AGE_MAX_MS = 30 * 60 * 1000;
/** Producers retry throttled writes; throttling in three consecutive 5-minute periods means the shards are undersized. */
export const WRITE_THROTTLE_PERIODS = 3;
/** Delivery normally lags by the buffer interval; this much beyond it means Firehose is failing to write. */
export const FRESHNESS_SLACK_SECONDS = 15 * 60;
/** Bad input is quarantined, never thrown, so any Lambda error is a defect or an outage. */
export const LAMBDA_ERRORS_MAX = 0;
/** A dead-lettered event is data that was not processed: one is enough to look. */
export const DLQ_MESSAGES_MAX = 0;
/** One 5xx can be a cold-start timeout; five in five minutes is an outage for clients. */
export const API_5XX_MAX = 5;
/** Storage autoscaling acts below 10% free (2 GB of the 20 GB minimum); under 1 GiB it has hit its cap or failed. */
export const DB_FREE_STORAGE_MIN_BYTES = 1024 ** 3;
/** Sustained 80% CPU drains a burstable (t4g) instance's credits, after which it is throttled to baseline. */
export const DB_CPU_MAX_PERCENT = 80;
export const DB_CPU_PERIODS = 3;
/** The model should never fail on the features we send; any 5xx means rows are left unscored. */
export const ENDPOINT_ERRORS_MAX = 0;

export interface MetricRef {
    readonly namespace: string;
    readonly name: string;
    readonly dimensions: Record<string, pulumi.Input<string>>;
    readonly stat: "Sum" | "Average" | "Maximum" | "Minimum" | "p99";
    readonly label?: string;
}

interface Widget { readonly title: string; readonly metrics: MetricRef[] }

export interface MonitoringArgs {
    readonly opsTopicArn: pulumi.Input<string>;
    readonly region: string;
    /** Every PipelineFunction of the stack (infra/governance/inventory.ts). */
    readonly functions: readonly TrackedFunction[];
    /** Queues of failed events (Lambda and EventBridge dead letters). */
    readonly deadLetterQueues: readonly TrackedQueue[];
    readonly stream?: { readonly name: pulumi.Input<string> };
    readonly deliveryStream?: { readonly name: pulumi.Input<string>; readonly bufferSeconds: number };
    /** Absent while inference is disabled. */
    readonly endpoint?: { readonly name: pulumi.Input<string>; readonly variantName: pulumi.Input<string> };
    readonly api?: { readonly id: pulumi.Input<string> };
    readonly database?: { readonly identifier: pulumi.Input<string> };
    /** Custom metrics to chart (the silence check's SilentDetectors). */
    readonly customMetrics?: readonly { readonly title: string; readonly metric: MetricRef }[];
}

const metric = (namespace: string, name: string, dimensions: Record<string, pulumi.Input<string>>, stat: MetricRef["stat"], label?: string): MetricRef =>
    ({ namespace, name, dimensions, stat, label });

interface AlarmSpec {
    readonly name: string;
    readonly description: string;
    readonly metric: MetricRef;
    readonly comparison: "GreaterThanThreshold" | "LessThanThreshold";
    readonly threshold: number;
    readonly evaluationPeriods?: number;
    /** notBreaching where no data means no events; breaching where no data means the source is down. */
    readonly treatMissingData: "notBreaching" | "breaching" | "missing";
}

/** The dashboard's widgets (in pipeline order) and the alarms, each metric defined once. */
export function monitoringPlan(name: string, args: MonitoringArgs): { widgets: Widget[]; alarms: AlarmSpec[] } {
    const widgets: Widget[] = [];
    const alarms: AlarmSpec[] = [];
    const above = (threshold: number) => ({ comparison: "GreaterThanThreshold" as const, threshold });
    if (args.stream) {
        const m = (n: string, stat: MetricRef["stat"]) => metric("AWS/Kinesis", n, { StreamName: args.stream!.name }, stat);
        const iteratorAge = m("GetRecords.IteratorAgeMilliseconds", "Maximum");
        const throttled = m("WriteProvisionedThroughputExceeded", "Sum");
        widgets.push(
            { title: "Kinesis: incoming", metrics: [m("IncomingBytes", "Sum"), m("IncomingRecords", "Sum")] },
            { title: "Kinesis: write throttling", metrics: [throttled] },
            { title: "Kinesis: iterator age (ms)", metrics: [iteratorAge] },
        );
        alarms.push(
            { name: `${name}-stream-iterator-age`, description: "The stream's consumer is falling behind: records expire after the retention period", metric: iteratorAge, ...above(ITERATOR_AGE_MAX_MS), treatMissingData: "notBreaching" },
            { name: `${name}-stream-write-throttles`, description: "Detector writes are throttled for 15 minutes: add shards (detectorCount) or switch streamMode", metric: throttled, ...above(0), evaluationPeriods: WRITE_THROTTLE_PERIODS, treatMissingData: "notBreaching" },
        );
    }
    if (args.deliveryStream) {
        const m = (n: string, stat: MetricRef["stat"]) => metric("AWS/Firehose", n, { DeliveryStreamName: args.deliveryStream!.name }, stat);
        const freshness = m("DeliveryToS3.DataFreshness", "Maximum");
        widgets.push(
            { title: "Firehose: delivery to S3 success", metrics: [m("DeliveryToS3.Success", "Average")] },
            { title: "Firehose: data freshness (s)", metrics: [freshness] },
        );
        alarms.push({
            name: `${name}-firehose-freshness`, description: "The oldest record in Firehose is older than the buffer interval plus slack: delivery to S3 is failing",
            metric: freshness, ...above(args.deliveryStream.bufferSeconds + FRESHNESS_SLACK_SECONDS), treatMissingData: "notBreaching",
        });
    }
    if (args.functions.length) {
        const per = (n: string, stat: MetricRef["stat"]) => args.functions.map((f) => metric("AWS/Lambda", n, { FunctionName: f.fn.function.name }, stat, f.name));
        const errors = per("Errors", "Sum");
        widgets.push(
            { title: "Lambda: errors", metrics: errors },
            { title: "Lambda: throttles", metrics: per("Throttles", "Sum") },
            { title: "Lambda: duration p99 (ms)", metrics: per("Duration", "p99") },
        );
        args.functions.forEach((f, i) => alarms.push({
            name: `${f.name}-errors`, description: `${f.name} failed: see its log group for the error`,
            metric: errors[i], ...above(LAMBDA_ERRORS_MAX), treatMissingData: "notBreaching",
        }));
    }
    if (args.deadLetterQueues.length) {
        const depth = args.deadLetterQueues.map((q) => metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: q.queue.name }, "Maximum", q.name));
        widgets.push({ title: "Dead-letter queues: messages", metrics: depth });
        args.deadLetterQueues.forEach((q, i) => alarms.push({
            name: `${q.name}-messages`, description: `Events failed every retry and wait in ${q.name} (kept 14 days) for inspection and replay`,
            metric: depth[i], ...above(DLQ_MESSAGES_MAX), treatMissingData: "notBreaching",
        }));
    }
    if (args.endpoint) {
        const m = (n: string, stat: MetricRef["stat"]) => metric("AWS/SageMaker", n, { EndpointName: args.endpoint!.name, VariantName: args.endpoint!.variantName }, stat);
        const serverErrors = m("Invocation5XXErrors", "Sum");
        widgets.push(
            { title: "SageMaker: invocations and errors", metrics: [m("Invocations", "Sum"), m("Invocation4XXErrors", "Sum"), serverErrors] },
            { title: "SageMaker: model latency (µs)", metrics: [m("ModelLatency", "Average")] },
        );
        alarms.push({ name: `${name}-endpoint-errors`, description: "The model endpoint returned server errors: rows are left unscored", metric: serverErrors, ...above(ENDPOINT_ERRORS_MAX), treatMissingData: "notBreaching" });
    }
    if (args.api) {
        const m = (n: string, stat: MetricRef["stat"]) => metric("AWS/ApiGateway", n, { ApiId: args.api!.id }, stat);
        const serverErrors = m("5xx", "Sum");
        widgets.push(
            { title: "Client API: errors", metrics: [m("4xx", "Sum"), serverErrors] },
            { title: "Client API: latency p99 (ms)", metrics: [m("Latency", "p99")] },
        );
        alarms.push({ name: `${name}-api-5xx`, description: "Clients are getting server errors from the API", metric: serverErrors, ...above(API_5XX_MAX), treatMissingData: "notBreaching" });
    }
    if (args.database) {
        const m = (n: string, stat: MetricRef["stat"]) => metric("AWS/RDS", n, { DBInstanceIdentifier: args.database!.identifier }, stat);
        const cpu = m("CPUUtilization", "Average");
        const freeStorage = m("FreeStorageSpace", "Minimum");
        widgets.push(
            { title: "Registry: CPU (%)", metrics: [cpu] },
            { title: "Registry: free storage (bytes)", metrics: [freeStorage] },
            { title: "Registry: connections", metrics: [m("DatabaseConnections", "Maximum")] },
        );
        alarms.push(
            // An instance that reports nothing is down or stopped: that is worth a page too.
            {
                name: `${name}-db-free-storage`, description: "The registry is running out of storage and autoscaling has not kept up (raise dbMaxAllocatedStorageGb)",
                metric: freeStorage, comparison: "LessThanThreshold", threshold: DB_FREE_STORAGE_MIN_BYTES, treatMissingData: "breaching",
            },
            {
                name: `${name}-db-cpu`, description: "The registry's CPU has been high for 15 minutes: queries will slow once CPU credits run out",
                metric: cpu, ...above(DB_CPU_MAX_PERCENT), evaluationPeriods: DB_CPU_PERIODS, treatMissingData: "missing",
            },
        );
    }
    for (const custom of args.customMetrics ?? []) widgets.push({ title: custom.title, metrics: [custom.metric] });
    return { widgets, alarms };
}

/** CloudWatch dashboard JSON: two widgets per row. */
export function dashboardBody(widgets: Widget[], region: string): pulumi.Output<string> {
    return pulumi.output(widgets.map((w) => w.metrics)).apply((resolved) => JSON.stringify({
        widgets: resolved.map((metrics, i) => ({
            type: "metric",
            x: (i % 2) * 12,
            y: Math.floor(i / 2) * 6,
            width: 12,
            height: 6,
            properties: {
                title: widgets[i].title,
                region,
                view: "timeSeries",
                period: FIVE_MINUTES,
                metrics: metrics.map((m) => [m.namespace, m.name, ...Object.entries(m.dimensions).flat(), { stat: m.stat, ...(m.label ? { label: m.label } : {}) }]),
            },
        })),
    }));
}

export class Monitoring extends pulumi.ComponentResource {
    public readonly dashboard: aws.cloudwatch.Dashboard;
    public readonly alarms: aws.cloudwatch.MetricAlarm[];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:Monitoring", name, {}, opts);
        const plan = monitoringPlan(name, args);
        this.dashboard = new aws.cloudwatch.Dashboard(name, {
            dashboardName: `${name}-${pulumi.getStack()}`,
            dashboardBody: dashboardBody(plan.widgets, args.region),
        }, { parent: this });
        this.alarms = plan.alarms.map((spec) => new aws.cloudwatch.MetricAlarm(spec.name, {
            alarmDescription: spec.description,
            namespace: spec.metric.namespace,
            metricName: spec.metric.name,
            dimensions: spec.metric.dimensions,
            ...(spec.metric.stat.startsWith("p") ? { extendedStatistic: spec.metric.stat } : { statistic: spec.metric.stat }),
            period: FIVE_MINUTES,
            evaluationPeriods: spec.evaluationPeriods ?? 1,
            comparisonOperator: spec.comparison,
            threshold: spec.threshold,
            treatMissingData: spec.treatMissingData,
            alarmActions: [args.opsTopicArn],
            okActions: [args.opsTopicArn],
        }, { parent: this }));
        this.registerOutputs({ dashboardName: this.dashboard.dashboardName });
    }
}
