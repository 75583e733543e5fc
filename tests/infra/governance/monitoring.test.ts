import { expect } from "chai";
import { program, ofType, one } from "../../helpers/program";
import { ProgramRun } from "../../../scripts/lib/mock-run";
import { FRESHNESS_SLACK_SECONDS } from "../../../infra/governance/monitoring";
import { GOVERNANCE } from "./config";

type Metric = { namespace: string; name: string; dimensions: Record<string, string> };

/** Dashboard metric rows: [namespace, name, dim1, value1, ..., {options}]. */
function dashboardMetrics(run: ProgramRun): Metric[] {
    const body = JSON.parse(one(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
    return body.widgets.flatMap((w: any) => w.properties.metrics.map((row: any[]) => {
        const [namespace, name, ...rest] = row;
        const pairs = rest.filter((x) => typeof x === "string");
        const dimensions: Record<string, string> = {};
        for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
        return { namespace, name, dimensions };
    }));
}

const alarmMetrics = (run: ProgramRun): Metric[] => ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")
    .map((a) => ({ namespace: a.inputs.namespace, name: a.inputs.metricName, dimensions: a.inputs.dimensions ?? {} }));

/** Each dimension's values as the stack's resources define them. */
function existing(run: ProgramRun): Record<string, string[]> {
    const names = (type: string) => ofType(run, type).map((r) => r.state.name);
    return {
        FunctionName: names("aws:lambda/function:Function"),
        QueueName: names("aws:sqs/queue:Queue"),
        StreamName: names("aws:kinesis/stream:Stream"),
        DeliveryStreamName: names("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"),
        EndpointName: names("aws:sagemaker/endpoint:Endpoint"),
        VariantName: ofType(run, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").flatMap((c) => c.inputs.productionVariants.map((v: any) => v.variantName)),
        ApiId: ofType(run, "aws:apigatewayv2/api:Api").map((a) => a.state.id),
        DBInstanceIdentifier: ofType(run, "aws:rds/instance:Instance").map((d) => d.state.identifier ?? d.state.name),
        Stack: [run.stack],
    };
}

function expectAllExist(run: ProgramRun, metrics: Metric[]): void {
    const known = existing(run);
    for (const m of metrics) {
        for (const [key, value] of Object.entries(m.dimensions)) {
            expect(known[key], `unknown dimension ${key} in ${m.namespace} ${m.name}`).to.be.an("array");
            expect(known[key], `${m.namespace} ${m.name}: ${key}=${value}`).to.include(value);
        }
    }
}

describe("infra/governance: monitoring", () => {
    let run: ProgramRun;
    before(async () => { run = await program(GOVERNANCE); });

    it("gives every alarm in the stack an action on the ops topic, for ALARM and for OK", () => {
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        expect(alarms.length).to.be.greaterThan(0);
        for (const a of alarms) {
            expect(a.inputs.alarmActions, a.name).to.deep.equal([run.outputs.opsTopicArn]);
            expect(a.inputs.okActions, a.name).to.deep.equal([run.outputs.opsTopicArn]);
            expect(a.inputs.actionsEnabled, a.name).to.not.equal(false);
            expect(a.inputs.treatMissingData, a.name).to.be.oneOf(["notBreaching", "breaching", "missing", "ignore"]);
        }
    });

    it("sets explicit retention on every log group in the stack", () => {
        const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup");
        expect(groups.length).to.be.greaterThan(0);
        for (const g of groups) expect(g.inputs.retentionInDays, g.name).to.equal(run.config["mdetect:logRetentionDays"]);
    });

    it("charts and alarms only on resources that exist in the stack", () => {
        expectAllExist(run, dashboardMetrics(run));
        expectAllExist(run, alarmMetrics(run));
    });

    it("charts each Lambda's errors, throttles and duration", () => {
        const charted = dashboardMetrics(run).filter((m) => m.namespace === "AWS/Lambda");
        for (const fn of existing(run).FunctionName) {
            for (const name of ["Errors", "Throttles", "Duration"]) {
                expect(charted.some((m) => m.name === name && m.dimensions.FunctionName === fn), `${name} of ${fn}`).to.equal(true);
            }
        }
    });

    it("alarms on every Lambda's errors and every dead-letter queue", () => {
        const alarms = alarmMetrics(run);
        for (const fn of existing(run).FunctionName) {
            expect(alarms.some((m) => m.name === "Errors" && m.dimensions.FunctionName === fn), fn).to.equal(true);
        }
        const dlqs = ofType(run, "aws:lambda/function:Function").map((f) => f.inputs.deadLetterConfig?.targetArn).filter(Boolean);
        const queueNames = ofType(run, "aws:sqs/queue:Queue").filter((q) => dlqs.includes(q.state.arn)).map((q) => q.state.name);
        expect(queueNames.length).to.be.greaterThan(0);
        for (const q of queueNames) {
            const alarm = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.dimensions?.QueueName === q);
            expect(alarm, q).to.not.equal(undefined);
            expect(alarm!.inputs).to.include({ metricName: "ApproximateNumberOfMessagesVisible", comparisonOperator: "GreaterThanThreshold", threshold: 0 });
        }
    });

    it("charts the stream and Firehose, and alarms on iterator age, write throttling and freshness", () => {
        const charted = dashboardMetrics(run).map((m) => `${m.namespace} ${m.name}`);
        expect(charted).to.include.members([
            "AWS/Kinesis IncomingBytes", "AWS/Kinesis IncomingRecords", "AWS/Kinesis WriteProvisionedThroughputExceeded",
            "AWS/Kinesis GetRecords.IteratorAgeMilliseconds", "AWS/Firehose DeliveryToS3.Success", "AWS/Firehose DeliveryToS3.DataFreshness",
        ]);
        expect(alarmMetrics(run).map((m) => m.name)).to.include.members(["GetRecords.IteratorAgeMilliseconds", "WriteProvisionedThroughputExceeded", "DeliveryToS3.DataFreshness"]);
    });

    it("derives the freshness threshold from the Firehose buffer interval", () => {
        expect(run.config["mdetect:firehoseBufferSeconds"]).to.equal(300);
        const freshness = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "DeliveryToS3.DataFreshness")!;
        expect(freshness.inputs.threshold).to.equal(300 + FRESHNESS_SLACK_SECONDS);
    });

    it("has no SageMaker widgets or alarms while inference is disabled", () => {
        expect(run.config["mdetect:modelArtifact"]).to.equal("");
        expect(dashboardMetrics(run).filter((m) => m.namespace === "AWS/SageMaker")).to.deep.equal([]);
        expect(alarmMetrics(run).filter((m) => m.namespace === "AWS/SageMaker")).to.deep.equal([]);
    });

    it("charts SageMaker invocations, errors and latency and alarms on server errors once inference is enabled", async () => {
        // Same model URI as the inference tests, so the cached run is shared.
        const withModel = await program({ "mdetect:modelArtifact": "s3://mdetect-models-bucket/models/v3/model.tar.gz" });
        const charted = dashboardMetrics(withModel).filter((m) => m.namespace === "AWS/SageMaker");
        expect(charted.map((m) => m.name)).to.have.members(["Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency"]);
        expectAllExist(withModel, charted);
        const alarms = alarmMetrics(withModel).filter((m) => m.namespace === "AWS/SageMaker");
        expect(alarms.map((m) => m.name)).to.deep.equal(["Invocation5XXErrors"]);
        expectAllExist(withModel, alarms);
    });

    it("charts the API and the registry, and alarms on 5xx, free storage and CPU", () => {
        const charted = dashboardMetrics(run).map((m) => `${m.namespace} ${m.name}`);
        expect(charted).to.include.members(["AWS/ApiGateway 4xx", "AWS/ApiGateway 5xx", "AWS/ApiGateway Latency",
            "AWS/RDS CPUUtilization", "AWS/RDS FreeStorageSpace", "AWS/RDS DatabaseConnections"]);
        expect(alarmMetrics(run).map((m) => `${m.namespace} ${m.name}`)).to.include.members(["AWS/ApiGateway 5xx", "AWS/RDS FreeStorageSpace", "AWS/RDS CPUUtilization"]);
    });

    it("exports the dashboard name", () => {
        expect(run.outputs.dashboardName).to.equal(one(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName);
    });
});
