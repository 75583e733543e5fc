import { expect } from "chai";
import { program, ofType, one, childrenOf, loadSerializedHandler, policyDoc } from "../../helpers/program";
import { ProgramRun, PlannedResource } from "../../../scripts/lib/mock-run";
import { GOVERNANCE } from "./config";
import { METRIC_NAMESPACE, SILENT_DETECTORS_METRIC, SILENT_EVENT } from "../../../functions/governance/silence";

describe("infra/governance: detector silence check", () => {
    let run: ProgramRun;
    let parts: PlannedResource[];
    before(async () => {
        run = await program(GOVERNANCE);
        parts = childrenOf(run, "mdetect:governance:SilenceCheck::mdetect-silence");
    });
    const part = (type: string) => {
        const found = parts.filter((r) => r.type === type);
        expect(found, type).to.have.length(1);
        return found[0];
    };

    it("runs on a schedule, invoked only by that rule", () => {
        const rule = part("aws:cloudwatch/eventRule:EventRule");
        expect(rule.inputs.scheduleExpression).to.equal("rate(5 minutes)");
        const fn = part("aws:lambda/function:Function");
        expect(part("aws:cloudwatch/eventTarget:EventTarget").inputs.arn).to.equal(fn.state.arn);
        expect(part("aws:lambda/permission:Permission").inputs).to.include({ principal: "events.amazonaws.com", sourceArn: rule.state.arn });
    });

    it("runs in the VPC with the registry's connection, the configured window, one at a time, with a dead-letter queue", () => {
        const fn = part("aws:lambda/function:Function");
        const registryFn = ofType(run, "aws:lambda/function:Function").find((f) => f.name === "mdetect-registry-access")!;
        expect(fn.inputs.vpcConfig.subnetIds).to.deep.equal(registryFn.inputs.vpcConfig.subnetIds);
        expect(fn.inputs.environment.variables).to.include({ SILENCE_MINUTES: "45", STACK_NAME: "dev", DB_HOST: registryFn.inputs.environment.variables.DB_HOST });
        // One at a time where reservations are on (prod); dev reserves none: tests/infra/reserved-concurrency.test.ts.
        expect(fn.inputs.reservedConcurrentExecutions).to.equal(undefined);
        expect(fn.inputs.deadLetterConfig.targetArn).to.equal(part("aws:sqs/queue:Queue").state.arn);
        const statements = policyDoc(part("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
        expect(statements.find((s) => s.Action === "rds-db:connect")).to.not.equal(undefined);
        // Nothing beyond logs, connecting, the DLQ and attaching to the VPC: no CloudWatch API call.
        expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith("cloudwatch:"))).to.deep.equal([]);
    });

    it("alarms on one stack-wide metric, missing data included, and says how to list the detectors", () => {
        const alarm = part("aws:cloudwatch/metricAlarm:MetricAlarm");
        expect(alarm.inputs).to.deep.include({
            namespace: METRIC_NAMESPACE, metricName: SILENT_DETECTORS_METRIC, dimensions: { Stack: "dev" },
            comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "breaching",
            alarmActions: [run.outputs.opsTopicArn], okActions: [run.outputs.opsTopicArn],
        });
        expect(alarm.inputs.period).to.be.at.least(2 * 300);
        const logGroup = part("aws:cloudwatch/logGroup:LogGroup").state.name;
        expect(alarm.inputs.alarmDescription).to.include(logGroup).and.include(`event = "${SILENT_EVENT}"`).and.include("45 minutes");
        expect(alarm.inputs.alarmDescription.length).to.be.at.most(1024);
    });

    it("keeps the metric count flat as the fleet grows", async () => {
        const big = await program({ ...GOVERNANCE, "mdetect:detectorCount": 5000 });
        const silenceAlarms = (r: ProgramRun) => ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.namespace === METRIC_NAMESPACE);
        expect(silenceAlarms(big)).to.have.length(1);
        expect(silenceAlarms(run)).to.have.length(1);
    });

    it("charts the silent-detector count on the dashboard", () => {
        const body = JSON.parse(one(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
        const rows = body.widgets.flatMap((w: any) => w.properties.metrics);
        expect(rows.some((r: any[]) => r[0] === METRIC_NAMESPACE && r[1] === SILENT_DETECTORS_METRIC && r.includes("Stack") && r.includes("dev"))).to.equal(true);
    });

    it("ships a self-contained handler that refuses to run without the registry's connection settings", async () => {
        const fn = part("aws:lambda/function:Function");
        const handler = await loadSerializedHandler(fn);
        const saved = { ...process.env };
        Object.assign(process.env, fn.inputs.environment.variables, { AWS_REGION: "ap-southeast-2" });
        delete process.env.DB_HOST;
        try {
            let error: unknown;
            try { await handler({}); } catch (e) { error = e; }
            expect(String(error)).to.match(/registry connection not configured: missing DB_HOST$/);
        } finally {
            process.env = saved;
        }
    });
});
