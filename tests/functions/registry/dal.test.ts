import { expect } from "chai";
import fc from "fast-check";
import type { TestDatabase } from "../../helpers/db";
import * as reg from "../../../functions/registry";
import { worldPerSuite, t, World } from "./fixtures";

describe("registry: data access", () => {
    let db: TestDatabase;
    let w: World;

    worldPerSuite((made) => ({ db, w } = made));

    describe("owner at time", () => {
        let first: reg.Deployment;
        let second: reg.Deployment;
        before(async () => {
            first = await reg.createDeployment(db.pool, {
                detectorId: w.d1.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2025-01-01T00:00:00Z"), status: "active",
            });
            first = await reg.endDeployment(db.pool, first.id, t("2025-03-01T00:00:00Z"));
            second = await reg.createDeployment(db.pool, {
                detectorId: w.d1.id, siteId: w.tunnel.id, projectId: w.projectB.id, startsAt: t("2025-03-01T00:00:00Z"), status: "active",
            });
        });

        it("answers the deployment covering the time: start inclusive, end exclusive", async () => {
            const owner = (iso: string) => reg.ownerAt(db.pool, { serial: w.d1.serial }, t(iso));
            expect(await owner("2024-12-31T23:59:59.999Z")).to.equal(undefined);
            expect(await owner("2025-01-01T00:00:00.000Z")).to.deep.equal({ clientId: w.clientA.id, projectId: w.projectA.id, siteId: w.mine.id, deploymentId: first.id, detectorId: w.d1.id });
            expect((await owner("2025-02-28T23:59:59.999Z"))?.deploymentId).to.equal(first.id);
            expect(await owner("2025-03-01T00:00:00.000Z")).to.deep.equal({ clientId: w.clientB.id, projectId: w.projectB.id, siteId: w.tunnel.id, deploymentId: second.id, detectorId: w.d1.id });
            expect((await owner("2099-01-01T00:00:00Z"))?.deploymentId, "open-ended").to.equal(second.id);
            expect((await reg.ownerAt(db.pool, { id: w.d1.id }, t("2025-03-01T00:00:00Z")))?.deploymentId, "by id").to.equal(second.id);
            expect(await reg.ownerAt(db.pool, { serial: "MD-NOBODY" }, t("2025-03-01T00:00:00Z"))).to.equal(undefined);
        });

        it("batches many (detector, time) pairs and agrees with single lookups (property)", async () => {
            const start = t("2024-12-01T00:00:00Z").getTime();
            const span = t("2025-05-01T00:00:00Z").getTime() - start;
            const pair = fc.record({
                detector: fc.constantFrom<reg.DetectorRef>({ serial: w.d1.serial }, { id: w.d1.id }, { serial: w.d2.serial }, { serial: "MD-NONE" }),
                at: fc.integer({ min: 0, max: span }).map((ms) => new Date(start + ms)),
            });
            await fc.assert(fc.asyncProperty(fc.array(pair, { minLength: 1, maxLength: 30 }), async (pairs) => {
                const batch = await reg.ownersAt(db.pool, pairs);
                const single = await Promise.all(pairs.map((p) => reg.ownerAt(db.pool, p.detector, p.at)));
                expect(batch).to.deep.equal(single);
                pairs.forEach((p, i) => {
                    const expected = "serial" in p.detector && p.detector.serial !== w.d1.serial ? undefined
                        : p.at < t("2025-01-01T00:00:00Z") ? undefined : p.at < t("2025-03-01T00:00:00Z") ? first.id : second.id;
                    expect(batch[i]?.deploymentId).to.equal(expected);
                });
            }), { numRuns: 25 });
        });

        it("refuses oversized batches and a bad detector reference", async () => {
            const many = Array.from({ length: reg.MAX_OWNER_BATCH + 1 }, () => ({ detector: { id: w.d1.id }, at: new Date() }));
            expect(await reg.ownersAt(db.pool, many).catch((e) => e)).to.be.instanceOf(reg.InvalidArgumentError);
            expect(await reg.ownersAt(db.pool, [{ detector: { id: w.d1.id, serial: "x" } as never, at: new Date() }]).catch((e) => e.message))
                .to.equal("detector must be { id } or { serial }");
            expect(await reg.ownersAt(db.pool, [])).to.deep.equal([]);
        });

        it("refuses to end a deployment before it starts", async () => {
            const err = await reg.endDeployment(db.pool, second.id, t("2025-02-01T00:00:00Z")).catch((e) => e);
            expect(err).to.be.instanceOf(reg.InvalidArgumentError);
        });

        it("lists a client's detectors and deployments and nothing of other clients", async () => {
            expect((await reg.listDeployments(db.pool, w.clientA.id)).map((d) => d.id)).to.deep.equal([first.id]);
            expect((await reg.listDeployments(db.pool, w.clientB.id)).map((d) => d.id)).to.deep.equal([second.id]);
            expect((await reg.listDetectors(db.pool, w.clientB.id)).map((d) => d.serial)).to.deep.equal([w.d1.serial]);
            expect(await reg.listDetectors(db.pool, "00000000-0000-4000-8000-000000000000")).to.deep.equal([]);
        });
    });

    it("stores and returns SQL-injection strings literally", async () => {
        const nasty = ["Robert'); DROP TABLE clients;--", "' OR '1'='1", "\\'; SELECT SLEEP(5); -- ", "x\" OR \"\"=\"", "%_\\%", "💥 ünïcödé \u0000 nul"];
        for (const [i, text] of nasty.entries()) {
            const client = await reg.createClient(db.pool, { name: `${text} ${i}` });
            expect(client.name).to.equal(`${text} ${i}`);
            const detector = await reg.createDetector(db.pool, { serial: `MD-${1000 + i}`, model: text, firmware: text });
            expect(await reg.findDetector(db.pool, { serial: `MD-${1000 + i}` })).to.deep.include({ id: detector.id, model: text, firmware: text });
            expect(await reg.findDetector(db.pool, { serial: text })).to.equal(undefined);
        }
        const [tables] = await db.pool.query<any[]>("SHOW TABLES");
        expect(tables.map((r: any) => Object.values(r)[0]), "no injected statement dropped a table").to.include.members(["clients", "detectors", "findings", "detector_days", "stream_objects"]);
        await fc.assert(fc.asyncProperty(fc.string({ unit: "binary", maxLength: 100 }), async (text) => {
            const updated = await reg.updateDetector(db.pool, w.d2.id, { model: text });
            expect(updated.model).to.equal(text);
        }), { numRuns: 100 });
    });

    describe("data files, findings, silence", () => {
        it("records a data file once per (S3 key, detector) and updates it on reprocessing", async () => {
            const file: reg.DataFileInput = {
                detector: { serial: w.d2.serial }, s3Key: "incoming/site/2025-04-01.json.gz", source: "batch", checksum: "abc",
                rowsIn: 100, rowsOut: 97, rowsQuarantined: 3, status: "partial",
                firstReadingAt: t("2025-04-01T00:00:00Z"), lastReadingAt: t("2025-04-01T23:59:59Z"),
            };
            const id = await reg.recordDataFile(db.pool, file);
            expect(await reg.recordDataFile(db.pool, { ...file, rowsOut: 100, rowsQuarantined: 0, status: "converted" })).to.equal(id);
            const [rows] = await db.pool.query<any[]>("SELECT rows_out, status FROM data_files WHERE detector_id = ?", [w.d2.id]);
            expect(rows).to.deep.equal([{ rows_out: 100, status: "converted" }]);
        });

        it("records a finding once: a retry returns the same id", async () => {
            const input: reg.FindingInput = {
                clientId: w.clientA.id, projectId: w.projectA.id, detector: { serial: w.d2.serial }, s3Key: "findings/a/b/c/2025-04-01/part-0.csv",
                periodStart: t("2025-04-01T00:00:00Z"), periodEnd: t("2025-04-02T00:00:00Z"), severity: "warning", summary: "density anomaly", score: 0.83,
            };
            const first = await reg.recordFinding(db.pool, input);
            const retry = await reg.recordFinding(db.pool, { ...input, summary: "retried" });
            expect(first.created).to.equal(true);
            expect(retry).to.deep.equal({ id: first.id, created: false });
            expect((await reg.getFinding(db.pool, w.clientA.id, first.id))?.summary).to.equal("density anomaly");
        });

        it("reports active deployments without data since the cutoff", async () => {
            const site = await reg.createSite(db.pool, { name: "Silence site", kind: "other", latitude: 0, longitude: 0 });
            const quiet = await reg.createDetector(db.pool, { serial: "MD-0050", model: "m", firmware: "f" });
            const chatty = await reg.createDetector(db.pool, { serial: "MD-0055", model: "m", firmware: "f" });
            const never = await reg.createDetector(db.pool, { serial: "MD-0020", model: "m", firmware: "f" });
            for (const d of [quiet, chatty, never]) {
                await reg.createDeployment(db.pool, { detectorId: d.id, siteId: site.id, projectId: w.projectA2.id, startsAt: t("2025-06-01T00:00:00Z"), status: "active" });
            }
            const file = (d: reg.Detector, last: string) => reg.recordDataFile(db.pool, {
                detector: { id: d.id }, s3Key: `raw/${d.serial}/${last}`, source: "stream", checksum: "x", rowsIn: 1, rowsOut: 1, rowsQuarantined: 0,
                status: "converted", firstReadingAt: t(last), lastReadingAt: t(last),
            });
            await file(quiet, "2025-06-10T11:00:00Z");
            await file(chatty, "2025-06-10T11:00:00Z");
            await file(chatty, "2025-06-10T11:45:00Z");
            const silent = await reg.activeDeploymentsWithoutDataSince(db.pool, t("2025-06-10T11:30:00Z"));
            const mine = silent.filter((s) => s.projectId === w.projectA2.id);
            expect(mine.map((s) => [s.serial, s.lastReadingAt?.toISOString()])).to.deep.equal([
                ["MD-0020", undefined], ["MD-0050", "2025-06-10T11:00:00.000Z"],
            ]);
            expect(mine.every((s) => s.clientId === w.clientA.id)).to.equal(true);
            expect((await reg.activeDeploymentsWithoutDataSince(db.pool, t("2025-05-01T00:00:00Z"))).filter((s) => s.projectId === w.projectA2.id),
                "deployments starting after the cutoff are not yet silent").to.deep.equal([]);
        });
    });

    describe("listing findings", () => {
        let client: reg.Client;
        let p1: reg.Project;
        let p2: reg.Project;
        const made: reg.Finding[] = [];
        before(async () => {
            client = await reg.createClient(db.pool, { name: "Paging client" });
            p1 = await reg.createProject(db.pool, { clientId: client.id, name: "p1" });
            p2 = await reg.createProject(db.pool, { clientId: client.id, name: "p2" });
            for (let i = 0; i < 9; i++) {
                // Two findings share each period start (tie broken by id).
                const { id } = await reg.recordFinding(db.pool, {
                    clientId: client.id, projectId: i % 3 === 0 ? p2.id : p1.id, detector: { id: i % 2 ? w.d1.id : w.d2.id },
                    s3Key: `findings/paging/${i}.csv`, periodStart: t(`2025-07-0${1 + Math.floor(i / 2)}T00:00:00Z`), periodEnd: t("2025-08-01T00:00:00Z"),
                    severity: "info", summary: `finding ${i}`, score: i / 10,
                });
                made.push((await reg.getFinding(db.pool, client.id, id))!);
            }
        });
        const newestFirst = (fs: reg.Finding[]) => [...fs].sort((a, b) => b.periodStart.getTime() - a.periodStart.getTime() || (a.id < b.id ? 1 : -1));

        async function allPages(filter: reg.FindingFilter): Promise<{ pages: number; items: reg.Finding[] }> {
            const items: reg.Finding[] = [];
            let cursor: string | undefined;
            let pages = 0;
            do {
                const page = await reg.listFindings(db.pool, client.id, { ...filter, cursor });
                items.push(...page.items);
                cursor = page.nextCursor;
                pages++;
            } while (cursor);
            return { pages, items };
        }

        it("pages through every finding once, newest first, with stable tie-breaking", async () => {
            const { pages, items } = await allPages({ limit: 4 });
            expect(pages).to.equal(3);
            expect(items.map((f) => f.id)).to.deep.equal(newestFirst(made).map((f) => f.id));
        });

        it("filters by project, detector and period start range", async () => {
            const cases: [reg.FindingFilter, (f: reg.Finding) => boolean][] = [
                [{ projectId: p2.id }, (f) => f.projectId === p2.id],
                [{ detectorId: w.d1.id }, (f) => f.detectorId === w.d1.id],
                [{ from: t("2025-07-02T00:00:00Z"), to: t("2025-07-04T00:00:00Z") }, (f) => f.periodStart >= t("2025-07-02T00:00:00Z") && f.periodStart < t("2025-07-04T00:00:00Z")],
                [{ projectId: p1.id, detectorId: w.d2.id, from: t("2025-07-03T00:00:00Z") }, (f) => f.projectId === p1.id && f.detectorId === w.d2.id && f.periodStart >= t("2025-07-03T00:00:00Z")],
            ];
            for (const [filter, keep] of cases) {
                const expected = newestFirst(made.filter(keep)).map((f) => f.id);
                expect(expected.length, JSON.stringify(filter)).to.be.greaterThan(0);
                expect((await allPages({ ...filter, limit: 2 })).items.map((f) => f.id), JSON.stringify(filter)).to.deep.equal(expected);
            }
        });

        it("refuses bad limits and cursors it did not issue", async () => {
            for (const limit of [0, reg.MAX_PAGE_SIZE + 1, 1.5]) {
                expect(await reg.listFindings(db.pool, client.id, { limit }).catch((e) => e), `limit ${limit}`).to.be.instanceOf(reg.InvalidArgumentError);
            }
            for (const cursor of ["garbage", Buffer.from('{"t":"x","id":"y"}').toString("base64url"), Buffer.from("{'").toString("base64url")]) {
                const err = await reg.listFindings(db.pool, client.id, { cursor }).catch((e) => e);
                expect(err.message).to.equal("cursor is not one this API returned");
            }
        });

        it("never shows one client's finding to another", async () => {
            const theirs = made[0];
            expect(await reg.getFinding(db.pool, client.id, theirs.id)).to.deep.equal(theirs);
            expect(await reg.getFinding(db.pool, w.clientB.id, theirs.id)).to.equal(undefined);
            expect((await reg.listFindings(db.pool, w.clientB.id, { limit: 200 })).items.map((f) => f.id)).to.not.include(theirs.id);
            expect(await reg.getFinding(db.pool, client.id, "00000000-0000-4000-8000-000000000000")).to.equal(undefined);
        });
    });
});
