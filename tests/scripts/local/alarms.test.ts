/**
 * CloudWatch alarms of the local cloud (metrics.ts): state over the evaluation periods with
 * missing data treated as the alarm says, actions on state changes only, the documented
 * notification, and alarms on AWS namespaces no local service publishes left unevaluated.
 */
import { expect } from "chai";
import { AlarmPlan } from "../../../scripts/lib/local/plan";
import { LocalMetrics, evaluated } from "../../../scripts/lib/local/metrics";

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const MINUTE = 60_000;

function alarm(overrides: Partial<AlarmPlan> = {}): AlarmPlan {
    return {
        name: "silent", arn: "arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:silent", namespace: "mdetect/Detectors", metricName: "SilentDetectors",
        dimensions: { Stack: "dev" }, statistic: "Maximum", periodSeconds: 900, evaluationPeriods: 1, threshold: 0, comparison: "GreaterThanThreshold",
        treatMissingData: "breaching", alarmActions: ["arn:aws:sns:ap-southeast-2:123456789012:ops"], okActions: ["arn:aws:sns:ap-southeast-2:123456789012:ops"],
        insufficientDataActions: [], ...overrides,
    };
}

function emf(metrics: LocalMetrics, value: number, at: number, stack = "dev"): void {
    metrics.fromLogLine(JSON.stringify({ _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: "mdetect/Detectors", Dimensions: [["Stack"]], Metrics: [{ Name: "SilentDetectors" }] }] }, Stack: stack, SilentDetectors: value }), at);
}

describe("local CloudWatch alarms", () => {
    it("missing data: breaching alarms, notBreaching is OK, missing is INSUFFICIENT_DATA, ignore keeps the state", () => {
        const m = new LocalMetrics();
        expect(m.alarmState(alarm(), T0)).to.equal("ALARM");
        expect(m.alarmState(alarm({ treatMissingData: "notBreaching" }), T0)).to.equal("OK");
        expect(m.alarmState(alarm({ treatMissingData: "missing" }), T0)).to.equal("INSUFFICIENT_DATA");
        m.states.set("silent", "ALARM");
        expect(m.alarmState(alarm({ treatMissingData: "ignore" }), T0)).to.equal("ALARM");
    });

    it("the statistic over the period against the threshold, at the exact boundary; other dimensions do not count", () => {
        const m = new LocalMetrics();
        emf(m, 0, T0 - 5 * MINUTE);
        emf(m, 3, T0 - 5 * MINUTE, "prod");
        expect(m.alarmState(alarm(), T0), "0 is not > 0").to.equal("OK");
        expect(m.alarmState(alarm({ comparison: "GreaterThanOrEqualToThreshold" }), T0)).to.equal("ALARM");
        emf(m, 1, T0 - MINUTE);
        expect(m.alarmState(alarm(), T0), "Maximum of 0 and 1").to.equal("ALARM");
        expect(m.alarmState(alarm({ statistic: "Minimum" }), T0)).to.equal("OK");
        // A point exactly one period old has left the window.
        expect(m.alarmState(alarm({ treatMissingData: "notBreaching" }), T0 - MINUTE + 900_000)).to.equal("OK");
    });

    it("acts on state changes only, with the documented notification; a failed action is kept, not thrown", async () => {
        const m = new LocalMetrics();
        const sent: { topic: string; subject: string; message: any }[] = [];
        const notify = async (topic: string, subject: string, message: string) => { sent.push({ topic, subject, message: JSON.parse(message) }); };
        await m.evaluate([alarm()], T0, "ap-southeast-2", "123456789012", notify);
        await m.evaluate([alarm()], T0 + MINUTE, "ap-southeast-2", "123456789012", notify);
        emf(m, 0, T0 + 2 * MINUTE);
        await m.evaluate([alarm()], T0 + 2 * MINUTE, "ap-southeast-2", "123456789012", notify);
        expect(sent.map((s) => s.subject)).to.deep.equal(['ALARM: "silent" in Asia Pacific (Sydney)', 'OK: "silent" in Asia Pacific (Sydney)']);
        expect(sent[0].message).to.deep.include({ AlarmName: "silent", NewStateValue: "ALARM", OldStateValue: "INSUFFICIENT_DATA", AWSAccountId: "123456789012", AlarmArn: alarm().arn });
        expect(sent[0].message.Trigger).to.deep.include({ MetricName: "SilentDetectors", Namespace: "mdetect/Detectors", Threshold: 0, TreatMissingData: "breaching", Dimensions: [{ value: "dev", name: "Stack" }] });
        const failing = new LocalMetrics();
        await failing.evaluate([alarm()], T0, "ap-southeast-2", "123456789012", async () => { throw Object.assign(new Error("denied"), { name: "AuthorizationError" }); });
        expect(failing.failedActions).to.deep.equal([{ alarm: "silent", action: alarm().alarmActions[0], error: "AuthorizationError: denied" }]);
        expect(failing.states.get("silent")).to.equal("ALARM");
    });

    it("alarms on AWS namespaces the local services do not publish are not evaluated", () => {
        expect(evaluated(alarm({ namespace: "AWS/RDS" }))).to.equal(false);
        expect(evaluated(alarm({ namespace: "AWS/Lambda" }))).to.equal(true);
        expect(evaluated(alarm({ namespace: "AWS/SQS" }))).to.equal(true);
        expect(evaluated(alarm())).to.equal(true);
    });
});
