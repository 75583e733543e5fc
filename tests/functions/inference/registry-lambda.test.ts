import { expect } from "chai";
import { mockedDuring, recordSdkCalls } from "../../helpers/aws-mock";
import { InvokeCommand, InvokeCommandInput, LambdaClient } from "@aws-sdk/client-lambda";
import { DETECTOR_DAYS_PER_CALL, lambdaRegistry } from "../../../functions/inference/registry-lambda";
import { dalRegistry } from "../../../functions/inference/registry-dal";
import { handleAccessRequest } from "../../../functions/registry/access-handler";
import { RegistryError } from "../../../functions/registry/errors";
import * as reg from "../../../functions/registry";
import { TestDatabase, withTestDatabase } from "../../helpers/db";
import { buildWorld, invokeThroughHandler, t, World } from "../registry/fixtures";
import { rejection } from "./fixtures";

/**
 * The port over Lambda must give the inference handler exactly what the port over the DAL
 * gives it: the invoke goes through JSON and the real access handler to MariaDB, so dates,
 * undefined ends and ids survive the wire or the test fails (no canned answers).
 */
describe("inference: registry port over the access Lambda (through the real handler and MariaDB)", () => {
    // The registry calls of the inference role, for its IAM table (tests/infra/inference.iam.test.ts).
    recordSdkCalls("inference-registry");
    const lambda = mockedDuring(LambdaClient);
    let db: TestDatabase;
    let w: World;
    const port = () => lambdaRegistry(new LambdaClient({ region: "ap-southeast-2" }), "registry-access");
    const sent = () => lambda().commandCalls(InvokeCommand).map((c) => c.args[0].input as InvokeCommandInput);

    before(async () => {
        db = await withTestDatabase();
        w = await buildWorld(db.pool);
        await reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2025-01-01T00:00:00Z"), endsAt: t("2025-02-01T00:00:00Z") });
        await reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.tunnel.id, projectId: w.projectB.id, startsAt: t("2025-02-01T00:00:00Z") });
    });
    after(() => db.drop());
    beforeEach(() => { lambda().on(InvokeCommand).callsFake(invokeThroughHandler(db.pool, handleAccessRequest)); });

    it("returns the same owner spans as the DAL, dates as Dates and an open end as undefined", async () => {
        const from = t("2025-01-15T00:00:00Z"), to = t("2025-02-15T00:00:00Z");
        const viaLambda = await port().ownerSpans([w.d1.serial, w.d2.serial, "MD-NONE"], from, to);
        expect(viaLambda).to.have.length(2);
        expect(viaLambda).to.deep.equal(await dalRegistry(db.pool).ownerSpans([w.d1.serial, w.d2.serial, "MD-NONE"], from, to));
        expect(viaLambda[1].endsAt).to.equal(undefined);
        expect(viaLambda[0].endsAt).to.be.instanceOf(Date);
        expect(sent()).to.have.length(1);
        expect(sent()[0]).to.include({ FunctionName: "registry-access", InvocationType: "RequestResponse" });
    });

    it("records a whole object in one invoke, idempotently: the replay returns the same finding ids", async () => {
        const finding = (hour: string, detector?: { id: string }) => ({
            clientId: w.clientA.id, projectId: w.projectA.id, detector, detectorCount: detector ? 1 : 2, rowCount: 10, alertCount: 1,
            s3Key: `findings/${w.clientA.id}/${w.projectA.id}/2025-01-20/${hour}/obj-abc.csv.gz`,
            periodStart: t(`2025-01-20T${hour}:00:00Z`), periodEnd: t(`2025-01-20T${hour}:59:59.001Z`), severity: "alert" as const, summary: "s", score: 0.91,
        });
        const input = {
            stream: { s3Key: "curated/realtime/obj-abc.gz", checksum: "etag:1", rowCount: 20, detectorCount: 2, unassignedRows: 0, firstReadingAt: t("2025-01-20T10:00:00Z"), lastReadingAt: t("2025-01-20T11:59:59Z") },
            findings: [finding("10", { id: w.d1.id }), finding("11")],
            detectorDays: [{ serial: w.d1.serial, firstReadingAt: t("2025-01-20T10:00:00Z"), lastReadingAt: t("2025-01-20T11:59:59Z") }, { serial: "MD-NONE", firstReadingAt: t("2025-01-20T10:00:00Z"), lastReadingAt: t("2025-01-20T10:00:00Z") }],
        };
        const first = await port().recordInference(input);
        const again = await port().recordInference(input);
        expect(sent()).to.have.length(2);
        expect(first.findingIds).to.have.length(2).and.to.deep.equal(again.findingIds);
        expect(first.unknownDetectors).to.deep.equal(["MD-NONE"]);
        const page = await reg.listFindings(db.pool, w.clientA.id);
        expect(page.items.map((f) => f.id).sort()).to.deep.equal([...first.findingIds].sort());
        const single = page.items.find((f) => f.id === first.findingIds[0])!;
        expect([single.detectorId, single.detectorSerial, single.detectorCount]).to.deep.equal([w.d1.id, w.d1.serial, 1]);
        const several = page.items.find((f) => f.id === first.findingIds[1])!;
        expect([several.detectorId, several.detectorSerial, several.detectorCount, several.periodStart.toISOString()]).to.deep.equal([null, null, 2, "2025-01-20T11:00:00.000Z"]);
    });

    it("re-raises the registry's domain error with its code", async () => {
        const error = await rejection(port().ownerSpans(["x"], t("2025-02-01T00:00:00Z"), t("2025-01-01T00:00:00Z")));
        expect(error).to.be.instanceOf(RegistryError);
        expect([(error as RegistryError).code, error.message]).to.deep.equal(["invalid_argument", "to must not be before from"]);
    });

    it("fails as unavailable when the access function itself crashed", async () => {
        lambda().on(InvokeCommand).callsFake(invokeThroughHandler(db.pool, async () => { throw new Error("Task timed out"); }));
        const error = await rejection(port().ownerSpans([w.d1.serial], t("2025-01-01T00:00:00Z"), t("2025-01-02T00:00:00Z")));
        expect((error as RegistryError).code).to.equal("unavailable");
    });
});

describe("inference: the Lambda port keeps every invoke under Lambda's 6 MB synchronous payload", () => {
    const lambda = mockedDuring(LambdaClient);
    let db: TestDatabase;
    before(async () => { db = await withTestDatabase(); await buildWorld(db.pool); });
    after(() => db.drop());

    it("splits a fleet's detector days across invokes, the findings in the first, and merges the answers", async () => {
        lambda().on(InvokeCommand).callsFake(invokeThroughHandler(db.pool, handleAccessRequest));
        const day = t("2025-01-20T10:00:00Z");
        const serials = Array.from({ length: 2 * DETECTOR_DAYS_PER_CALL + 5 }, (_, i) => `MD-UNKNOWN-${i}`);
        const out = await lambdaRegistry(new LambdaClient({ region: "ap-southeast-2" }), "registry-access")
            .recordInference({ findings: [], detectorDays: serials.map((serial) => ({ serial, firstReadingAt: day, lastReadingAt: day })) });
        const payloads = lambda().commandCalls(InvokeCommand).map((c) => Buffer.from(c.args[0].input.Payload as Uint8Array));
        expect(payloads).to.have.length(3);
        for (const p of payloads) expect(p.length).to.be.lessThan(6 * 1024 * 1024);
        expect(out.unknownDetectors).to.have.length(serials.length);
    });
});
