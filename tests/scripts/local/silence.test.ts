/**
 * The silence alarm raised by the silence check's own data: the check (its serialized package,
 * on its schedule, reading the registry through the RDS front) first reports the whole fleet
 * heard (0: the alarm leaves the missing-data ALARM for OK), then one detector stops, and the
 * next run after its silence window reports it (SilentDetectors 1, one detector-silent line
 * naming it): the alarm goes to ALARM and e-mails ops, and no client.
 *
 * The run's config: a 5-minute silence window (the stack's is 30) and 60 s Firehose buffers
 * (the stack's 900 s would hold every reading past the second run), so two runs of the
 * 5-minute schedule are enough: the first sees every detector's recent readings in the
 * registry's detector_days (written by inference), the second the silent one's last reading
 * before its cutoff.
 */
import { expect } from "chai";
import { S3Client } from "@aws-sdk/client-s3";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { rateSeconds } from "../../../scripts/lib/local/eventbridge";
import { METRIC_NAMESPACE, SILENT_DETECTORS_METRIC, SILENT_EVENT } from "../../../functions/governance/silence";
import { startInferenceCloud } from "./fixtures";

const SILENCE_MINUTES = 5;

describe("local cloud: a silent detector raises the silence alarm from the check's own data", function () {
    let cloud: LocalCloud;
    let reader: S3Client;

    before(async function () {
        this.timeout(600_000);
        ({ cloud, reader } = await startInferenceCloud({ "mdetect:silenceMinutes": SILENCE_MINUTES, "mdetect:firehoseBufferSeconds": 60 }));
    });
    after(async () => { reader?.destroy(); await cloud?.stop(); });

    it("reports the fleet heard (alarm OK), then exactly the detector that stopped (alarm ALARM, ops e-mailed, no client)", async function () {
        this.timeout(900_000);
        const check = cloud.plan.functions.find((f) => f.environment.SILENCE_MINUTES)!;
        expect(check.environment.SILENCE_MINUTES, "the run's silence window").to.equal(String(SILENCE_MINUTES));
        const schedule = cloud.plan.rules.find((r) => r.scheduleExpression && r.targets.some((t) => t.arn === check.arn))!;
        const every = rateSeconds(schedule.scheduleExpression!);
        const alarm = cloud.plan.alarms.find((a) => a.namespace === METRIC_NAMESPACE && a.metricName === SILENT_DETECTORS_METRIC)!;
        const start = cloud.clock.now();
        // Silent from 200 s: heard within the first run's window (from start + every - 5 min), not within the second's.
        const silentAfterSeconds = 200;
        expect(silentAfterSeconds).to.be.within(every - SILENCE_MINUTES * 60, 2 * every - SILENCE_MINUTES * 60 - 1);
        const fleet = cloud.startFleet({ detectors: 3, batchSeconds: 10, silentDetector: 1, silentAfterSeconds, firstSerial: 400 });
        // Two runs of the schedule, then one alarm evaluation after the second.
        await cloud.step(2 * every + 65);

        // What the check can call silent: every active deployment of the registry (the seed's detectors
        // are not in a local registry: it seeds clients and projects only), which is the fleet.
        const [deployed] = await cloud.registry.pool.query("SELECT det.serial FROM deployments d JOIN detectors det ON det.id = d.detector_id WHERE d.status = 'active' ORDER BY det.serial") as any;
        expect(deployed.map((r: { serial: string }) => r.serial)).to.deep.equal(fleet.serials);

        const lines = cloud.logs.filter((l) => l.fn === check.logicalName).flatMap((l) => { try { return [JSON.parse(l.line)]; } catch { return []; } });
        const runs = lines.filter((l) => l.event === "silence-check").map((l) => [l._aws.Timestamp - start, l[SILENT_DETECTORS_METRIC]]);
        expect(runs, "each run at its schedule's tick: [ms after start, SilentDetectors]").to.deep.equal([[every * 1000, 0], [2 * every * 1000, 1]]);
        expect(lines.filter((l) => l.event === SILENT_EVENT).map((l) => l.serial), "the detector-silent lines").to.deep.equal([fleet.serials[1]]);

        // The meter's registry queries are the statements the fronts saw; the check's own share is one
        // query a run plus, on each new session, the time zone statement (functions/registry/connect.ts).
        const sessions = [...cloud.databases.fronts.values()].flatMap((f) => f.connections).filter((c) => c.ok);
        const checkSessions = sessions.filter((c) => c.caller === check.logicalName);
        const statements = (list: typeof sessions) => list.reduce((n, c) => n + c.statements, 0);
        expect(statements(checkSessions), "the check's statements").to.equal(runs.length + checkSessions.length);
        expect(cloud.snapshotMeter().registry.queries, "registry queries").to.equal(statements(sessions)).and.be.greaterThan(statements(checkSessions));

        const transitions = cloud.metrics.transitions.filter((t) => t.alarm.name === alarm.name);
        expect(transitions.map((t) => `${t.from}->${t.to}`), "missing data before the first run is breaching").to.deep.equal(["INSUFFICIENT_DATA->ALARM", "ALARM->OK", "OK->ALARM"]);
        expect(transitions[1].at - start, "OK after the first run").to.be.within(every * 1000, (every + 60) * 1000);
        expect(transitions[2].at - start, "ALARM after the second run").to.be.within(2 * every * 1000, (2 * every + 60) * 1000);

        const ops = cloud.plan.topics.find((t) => t.arn === alarm.alarmActions[0])!.subscriptions.map((s) => s.endpoint);
        expect(ops.length, "ops addresses").to.be.greaterThan(0);
        for (const address of ops) {
            const mail = cloud.sns.mailbox.inbox(address).filter((m) => m.subject.endsWith(`"${alarm.name}" in Asia Pacific (Sydney)`));
            expect(mail.map((m) => m.subject.split(":")[0]), address).to.deep.equal(["ALARM", "OK", "ALARM"]);
            expect(JSON.parse(mail[2].body.split("\n\n--\n")[0])).to.deep.include({ AlarmName: alarm.name, NewStateValue: "ALARM", OldStateValue: "OK", AlarmArn: alarm.arn });
        }
        for (const o of (await cloud.registry.owners()).filter((x) => x.email)) {
            expect(cloud.sns.mailbox.inbox(o.email!).filter((m) => m.topicArn === alarm.alarmActions[0]), o.email).to.have.length(0);
        }
    });
});
