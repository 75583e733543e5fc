/**
 * CloudWatch metrics and alarms of the local cloud. Data points come from what functions
 * print (a line that is an Embedded Metric Format document becomes data points, as the Lambda
 * log pipeline turns them into metrics) and from the local services that publish AWS metrics
 * here: Lambda (AWS/Lambda Invocations, Errors, Duration per FunctionName) and SQS
 * (AWS/SQS ApproximateNumberOfMessagesVisible per QueueName, sampled every minute).
 *
 * The plan's alarms are evaluated every simulated minute over their last evaluation periods,
 * missing data treated as the alarm says (breaching, notBreaching, ignore: keep the state,
 * missing: INSUFFICIENT_DATA). A state change runs the alarm's actions for the new state: an
 * SNS topic receives the documented alarm notification (JSON message, subject
 * `ALARM: "<name>" in <region name>`), published as cloudwatch.amazonaws.com with the alarm's
 * ARN as source, so the topic and key policies decide. Alarms on AWS/* namespaces no local
 * service publishes (RDS, API Gateway, Kinesis, Firehose, SageMaker) are not evaluated: their
 * data would be missing by construction, and "breaching" would raise them falsely.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
import { AlarmPlan } from "./plan";

export interface DataPoint { readonly namespace: string; readonly name: string; readonly dimensions: Record<string, string>; readonly value: number; readonly time: number }
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** AWS namespaces whose metrics the local cloud's own services publish. */
export const LOCAL_AWS_NAMESPACES = ["AWS/Lambda", "AWS/SQS"];
/** CloudWatch evaluates alarms once a minute. */
export const ALARM_EVALUATION_SECONDS = 60;
/** Region names as alarm notification subjects spell them (the regions this project deploys to). */
const REGION_NAMES: Record<string, string> = { "ap-southeast-2": "Asia Pacific (Sydney)", "ap-southeast-4": "Asia Pacific (Melbourne)", "us-east-1": "US East (N. Virginia)" };
/** SNS subjects are at most 100 characters. */
const SUBJECT_MAX = 100;

export interface AlarmTransition { readonly alarm: AlarmPlan; readonly from: AlarmState; readonly to: AlarmState; readonly at: number; readonly reason: string }

/** Runs an alarm action: publishes `message` to the SNS topic `topicArn` as CloudWatch. */
export type AlarmNotifier = (topicArn: string, subject: string, message: string, alarm: AlarmPlan) => Promise<void>;

export function evaluated(alarm: AlarmPlan): boolean {
    return !alarm.namespace.startsWith("AWS/") || LOCAL_AWS_NAMESPACES.includes(alarm.namespace);
}

export class LocalMetrics {
    readonly points: DataPoint[] = [];
    readonly states = new Map<string, AlarmState>();
    readonly transitions: AlarmTransition[] = [];
    /** Alarm actions that failed (a denied publish): CloudWatch records them in the alarm history. */
    readonly failedActions: { alarm: string; action: string; error: string }[] = [];

    put(point: DataPoint): void {
        this.points.push(point);
    }

    /** Parses one log line; returns the data points it held (none for an ordinary line). */
    fromLogLine(line: string, now: number): DataPoint[] {
        let doc: any;
        try { doc = JSON.parse(line); } catch { return []; }
        const spec = doc?._aws?.CloudWatchMetrics;
        if (!Array.isArray(spec)) return [];
        const time = typeof doc._aws.Timestamp === "number" ? doc._aws.Timestamp : now;
        const out: DataPoint[] = [];
        for (const directive of spec) {
            for (const dimensionSet of directive.Dimensions ?? [[]]) {
                const dimensions = Object.fromEntries((dimensionSet as string[]).map((d) => [d, String(doc[d])]));
                for (const metric of directive.Metrics ?? []) {
                    const raw = doc[metric.Name];
                    for (const value of Array.isArray(raw) ? raw : [raw]) {
                        if (typeof value === "number") out.push({ namespace: directive.Namespace, name: metric.Name, dimensions, value, time });
                    }
                }
            }
        }
        this.points.push(...out);
        return out;
    }

    /** The alarm's state at `now` over its last evaluation periods (missing data per treatMissingData). */
    alarmState(alarm: AlarmPlan, now: number): AlarmState {
        const current = this.states.get(alarm.name) ?? "INSUFFICIENT_DATA";
        let breaching = 0, present = 0;
        for (let i = 0; i < alarm.evaluationPeriods; i++) {
            const end = now - i * alarm.periodSeconds * 1000;
            const start = end - alarm.periodSeconds * 1000;
            const values = this.points.filter((p) => p.namespace === alarm.namespace && p.name === alarm.metricName && p.time > start && p.time <= end
                && Object.entries(alarm.dimensions).every(([k, v]) => p.dimensions[k] === v)).map((p) => p.value);
            if (values.length === 0) {
                if (alarm.treatMissingData === "breaching") breaching++;
                continue;
            }
            present++;
            if (breaches(alarm, statistic(alarm.statistic, values))) breaching++;
        }
        if (breaching >= alarm.evaluationPeriods) return "ALARM";
        if (present > 0 || alarm.treatMissingData === "notBreaching" || alarm.treatMissingData === "breaching") return "OK";
        return alarm.treatMissingData === "ignore" ? current : "INSUFFICIENT_DATA";
    }

    /** Evaluates every alarm at `now`; a state change runs the new state's SNS actions through `notify`. */
    async evaluate(alarms: readonly AlarmPlan[], now: number, region: string, account: string, notify: AlarmNotifier): Promise<AlarmTransition[]> {
        const changed: AlarmTransition[] = [];
        for (const alarm of alarms.filter(evaluated)) {
            const from = this.states.get(alarm.name) ?? "INSUFFICIENT_DATA";
            const to = this.alarmState(alarm, now);
            if (to === from) continue;
            this.states.set(alarm.name, to);
            const transition: AlarmTransition = { alarm, from, to, at: now, reason: reasonFor(alarm, to) };
            this.transitions.push(transition);
            changed.push(transition);
            const actions = to === "ALARM" ? alarm.alarmActions : to === "OK" ? alarm.okActions : alarm.insufficientDataActions;
            for (const action of actions.filter((a) => a.startsWith("arn:aws:sns:"))) {
                const subject = `${to}: "${alarm.name}" in ${REGION_NAMES[region] ?? region}`.slice(0, SUBJECT_MAX);
                try {
                    await notify(action, subject, JSON.stringify(notification(transition, region, account)), alarm);
                } catch (err) {
                    this.failedActions.push({ alarm: alarm.name, action, error: `${(err as Error).name}: ${(err as Error).message}` });
                }
            }
        }
        return changed;
    }
}

function statistic(name: string, values: number[]): number {
    if (name === "Maximum") return Math.max(...values);
    if (name === "Minimum") return Math.min(...values);
    if (name === "Sum") return values.reduce((a, b) => a + b, 0);
    if (name === "SampleCount") return values.length;
    return values.reduce((a, b) => a + b, 0) / values.length;
}

function breaches(alarm: AlarmPlan, value: number): boolean {
    const t = alarm.threshold;
    switch (alarm.comparison) {
        case "GreaterThanThreshold": return value > t;
        case "GreaterThanOrEqualToThreshold": return value >= t;
        case "LessThanThreshold": return value < t;
        case "LessThanOrEqualToThreshold": return value <= t;
        default: throw new Error(`alarm ${alarm.name}: comparison ${alarm.comparison} is not emulated`);
    }
}

function reasonFor(alarm: AlarmPlan, to: AlarmState): string {
    const periods = `${alarm.evaluationPeriods} datapoint${alarm.evaluationPeriods === 1 ? "" : "s"} of ${alarm.periodSeconds} s`;
    return to === "ALARM" ? `Threshold Crossed: ${periods} ${alarm.comparison} ${alarm.threshold} (treat missing data: ${alarm.treatMissingData})`
        : to === "OK" ? `Threshold not crossed over the last ${periods}` : `Insufficient Data: no datapoints over the last ${periods}`;
}

/** The JSON message CloudWatch publishes to an SNS alarm action. */
function notification(t: AlarmTransition, region: string, account: string): Record<string, unknown> {
    const a = t.alarm;
    return {
        AlarmName: a.name, AlarmDescription: a.description ?? null, AWSAccountId: account,
        NewStateValue: t.to, NewStateReason: t.reason, StateChangeTime: new Date(t.at).toISOString().replace("Z", "+0000"),
        Region: REGION_NAMES[region] ?? region, AlarmArn: a.arn, OldStateValue: t.from,
        OKActions: a.okActions, AlarmActions: a.alarmActions, InsufficientDataActions: a.insufficientDataActions,
        Trigger: {
            MetricName: a.metricName, Namespace: a.namespace, StatisticType: "Statistic", Statistic: a.statistic.toUpperCase(), Unit: null,
            Dimensions: Object.entries(a.dimensions).map(([name, value]) => ({ value, name })),
            Period: a.periodSeconds, EvaluationPeriods: a.evaluationPeriods, ComparisonOperator: a.comparison, Threshold: a.threshold,
            TreatMissingData: a.treatMissingData, EvaluateLowSampleCountPercentile: "",
        },
    };
}
