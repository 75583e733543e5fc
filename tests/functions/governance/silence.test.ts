import { expect } from "chai";
import fc from "fast-check";
import * as reg from "../../../functions/registry";
import { activeDeploymentsWithoutDataSince } from "../../../functions/registry/deployments";
import {
    METRIC_NAMESPACE, SILENT_DETECTORS_METRIC, SILENT_EVENT, checkSilence, checkTime, silenceCutoff, silenceLogLines,
} from "../../../functions/governance/silence";
import { withTestDatabase, TestDatabase } from "../../helpers/db";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const SILENCE_MINUTES = 30;
const CUTOFF = new Date("2026-03-01T11:30:00.000Z");

/** The EMF record must be one CloudWatch can extract: every dimension and metric at the root. */
function expectValidEmf(record: any, count: number, stack: string): void {
    const directive = record._aws.CloudWatchMetrics[0];
    expect(record._aws.Timestamp).to.equal(NOW.getTime());
    expect(directive.Namespace).to.equal(METRIC_NAMESPACE);
    for (const key of directive.Dimensions.flat()) expect(record, `dimension ${key}`).to.have.property(key);
    expect(record.Stack).to.equal(stack);
    expect(directive.Metrics).to.deep.equal([{ Name: SILENT_DETECTORS_METRIC, Unit: "Count" }]);
    expect(record[SILENT_DETECTORS_METRIC]).to.equal(count);
}

describe("functions/governance: detector silence", () => {
    describe("cutoff", () => {
        it("is silenceMinutes before now, to the millisecond", () => {
            expect(silenceCutoff(NOW, SILENCE_MINUTES).toISOString()).to.equal(CUTOFF.toISOString());
        });

        for (const bad of [0, -5, 1.5, Number.NaN]) {
            it(`refuses silenceMinutes=${bad}`, () => {
                expect(() => silenceCutoff(NOW, bad)).to.throw(/silenceMinutes/);
            });
        }

        it("refuses an invalid clock", () => {
            expect(() => silenceCutoff(new Date("nonsense"), SILENCE_MINUTES)).to.throw(/not a valid date/);
        });
    });

    describe("the time a run checks for", () => {
        const wall = () => NOW;
        it("is the Scheduled Event's time (a retried run still reports its tick), to the second", () => {
            fc.assert(fc.property(fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }), (tick) => {
                const time = tick.toISOString().replace(/\.\d{3}Z$/, "Z");
                expect(checkTime({ "detail-type": "Scheduled Event", time } as { time: string }, wall).toISOString()).to.equal(time.replace("Z", ".000Z"));
            }));
        });

        it("is the current time when invoked without one", () => {
            expect(checkTime({}, wall)).to.equal(NOW);
            expect(checkTime(undefined, wall)).to.equal(NOW);
        });

        for (const bad of ["yesterday", 1767600000000, null, ""]) {
            it(`refuses an event time of ${JSON.stringify(bad)} in one line`, () => {
                expect(() => checkTime({ time: bad }, wall)).to.throw(/^the event's time .* is not a timestamp$/);
            });
        }
    });

    describe("log lines", () => {
        const silent = (serial: string, last?: string) => ({
            deploymentId: `dep-${serial}`, detectorId: `det-${serial}`, serial, clientId: "c", projectId: "p", siteId: "s",
            lastReadingAt: last ? new Date(last) : undefined,
        });

        it("always writes the metric, 0 when nobody is silent, so a missing datapoint means the check died", () => {
            const lines = silenceLogLines([], NOW, CUTOFF, "dev");
            expect(lines).to.have.length(1);
            expectValidEmf(JSON.parse(lines[0]), 0, "dev");
        });

        it("lists each silent detector with its last reading (null when it never sent any)", () => {
            const lines = silenceLogLines([silent("MD-1", "2026-03-01T10:00:00.000Z"), silent("MD-2")], NOW, CUTOFF, "prod");
            const details = lines.slice(0, -1).map((l) => JSON.parse(l));
            expect(details.map((d) => [d.event, d.serial, d.lastReadingAt])).to.deep.equal([
                [SILENT_EVENT, "MD-1", "2026-03-01T10:00:00.000Z"],
                [SILENT_EVENT, "MD-2", null],
            ]);
            expectValidEmf(JSON.parse(lines[lines.length - 1]), 2, "prod");
        });

        it("publishes one metric whatever the fleet size (count = detail lines)", () => {
            fc.assert(fc.property(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 300 }), (serials) => {
                const lines = silenceLogLines(serials.map((s) => silent(s)), NOW, CUTOFF, "dev");
                const metrics = lines.map((l) => JSON.parse(l)).filter((r) => r._aws);
                expect(metrics).to.have.length(1);
                expect(metrics[0][SILENT_DETECTORS_METRIC]).to.equal(serials.length);
                expect(lines.length - 1).to.equal(serials.length);
            }));
        });
    });

    describe("against the registry (MariaDB)", () => {
        let db: TestDatabase;
        const serialsFound = async (cutoff: Date) => (await activeDeploymentsWithoutDataSince(db.pool, cutoff)).map((d) => d.serial);

        before(async () => {
            db = await withTestDatabase();
            const pool = db.pool;
            const client = await reg.createClient(pool, { name: "Client" });
            const project = await reg.createProject(pool, { clientId: client.id, name: "Survey" });
            const site = await reg.createSite(pool, { name: "Mine", kind: "mine", latitude: -31.9, longitude: 141.4 });
            const longAgo = new Date("2026-01-01T00:00:00.000Z");
            const deploy = async (serial: string, status: reg.DeploymentStatus, startsAt = longAgo, readings: string[] = []) => {
                const detector = await reg.createDetector(pool, { serial, model: "MuScope 2", firmware: "2.4.1" });
                const deployment = await reg.createDeployment(pool, { detectorId: detector.id, siteId: site.id, projectId: project.id, startsAt, status });
                for (const [i, last] of readings.entries()) {
                    await reg.recordDataFile(pool, {
                        detector: { serial }, s3Key: `raw/${serial}/${i}.json`, source: "stream", checksum: `${serial}-${i}`,
                        rowsIn: 1, rowsOut: 1, rowsQuarantined: 0, status: "converted", firstReadingAt: new Date(last), lastReadingAt: new Date(last),
                    });
                }
                return deployment;
            };
            await deploy("MD-0050", "active", longAgo, ["2026-03-01T09:00:00.000Z", "2026-03-01T11:29:59.999Z"]);
            await deploy("MD-0020", "active");
            await deploy("MD-0010", "active", longAgo, ["2026-03-01T11:30:00.000Z"]);
            await deploy("MD-0060", "active", longAgo, ["2026-02-01T00:00:00.000Z", "2026-03-01T11:55:00.000Z"]);
            await deploy("MD-0040", "planned");
            await deploy("MD-0030", "active", new Date("2026-03-01T11:45:00.000Z"));
            const retrieved = await deploy("MD-0070", "active", longAgo, ["2026-02-01T00:00:00.000Z"]);
            await reg.endDeployment(pool, retrieved.id, new Date("2026-02-02T00:00:00.000Z"));
        });
        after(async () => db?.drop());

        it("finds exactly the active detectors silent since the cutoff", async () => {
            expect(await serialsFound(CUTOFF)).to.deep.equal(["MD-0020", "MD-0050"]);
        });

        it("treats a reading exactly at the cutoff as heard, one millisecond later as silent", async () => {
            expect(await serialsFound(CUTOFF)).to.not.include("MD-0010");
            expect(await serialsFound(new Date(CUTOFF.getTime() + 1))).to.include("MD-0010");
        });

        it("gives a newly activated deployment its full window before calling it silent", async () => {
            expect(await serialsFound(CUTOFF)).to.not.include("MD-0030");
            expect(await serialsFound(new Date("2026-03-01T11:45:00.000Z"))).to.include("MD-0030");
        });

        it("reports the check's result through the log: the list, then the count", async () => {
            const lines: string[] = [];
            const result = await checkSilence({
                findSilent: (cutoff) => activeDeploymentsWithoutDataSince(db.pool, cutoff),
                now: NOW, silenceMinutes: SILENCE_MINUTES, stack: "dev", write: (l) => lines.push(l),
            });
            expect(result).to.deep.equal({ silent: 2, cutoff: CUTOFF.toISOString() });
            const records = lines.map((l) => JSON.parse(l));
            expect(records.filter((r) => r.event === SILENT_EVENT).map((r) => [r.serial, r.lastReadingAt])).to.deep.equal([
                ["MD-0020", null], ["MD-0050", "2026-03-01T11:29:59.999Z"],
            ]);
            expectValidEmf(records[records.length - 1], 2, "dev");
        });

        it("writes no metric when the registry cannot be asked, so the alarm's missing data fires", async () => {
            const lines: string[] = [];
            let error: unknown;
            try {
                await checkSilence({
                    findSilent: () => Promise.reject(new Error("connect ETIMEDOUT")),
                    now: NOW, silenceMinutes: SILENCE_MINUTES, stack: "dev", write: (l) => lines.push(l),
                });
            } catch (e) { error = e; }
            expect(String(error)).to.match(/ETIMEDOUT/);
            expect(lines).to.deep.equal([]);
        });
    });
});
