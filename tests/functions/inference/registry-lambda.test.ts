import { expect } from "chai";
import { mockedDuring } from "../../helpers/aws-mock";
import { InvokeCommand, InvokeCommandInput, InvokeCommandOutput, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaRegistry } from "../../../functions/inference/registry-lambda";
import { RegistryError } from "../../../functions/registry/errors";
import { rejection } from "./fixtures";

/** The SDK's Payload type is its own blob adapter; the bytes are what the client reads. */
const payload = (value: unknown) => Buffer.from(JSON.stringify(value)) as unknown as InvokeCommandOutput["Payload"];
const OWNER = { clientId: "c", projectId: "p", siteId: "s", deploymentId: "d", detectorId: "x" };

describe("inference: registry port over the access Lambda", () => {
    const lambda = mockedDuring(LambdaClient);
    const sent = () => lambda().commandCalls(InvokeCommand).map((c) => c.args[0].input as InvokeCommandInput)
        .map((i) => ({ ...i, Payload: JSON.parse(Buffer.from(i.Payload as Uint8Array).toString()) }));
    const port = () => lambdaRegistry(new LambdaClient({ region: "ap-southeast-2" }), "registry-access");

    it("asks for owners synchronously with ISO times and maps null to no owner", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: true, result: [OWNER, null] }) });
        const owners = await port().ownersAt([
            { detector: { serial: "MD-0001" }, at: new Date("2025-03-01T12:00:00Z") },
            { detector: { serial: "MD-0002" }, at: new Date("2025-03-01T12:00:01.500Z") },
        ]);
        expect(owners).to.deep.equal([OWNER, undefined]);
        expect(sent()).to.deep.equal([{
            FunctionName: "registry-access",
            InvocationType: "RequestResponse",
            Payload: { op: "ownersAt", args: { pairs: [
                { detector: { serial: "MD-0001" }, at: "2025-03-01T12:00:00.000Z" },
                { detector: { serial: "MD-0002" }, at: "2025-03-01T12:00:01.500Z" },
            ] } },
        }]);
    });

    it("records a finding with its period as ISO strings and returns the id", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: true, result: { id: "f-1", created: false } }) });
        const result = await port().recordFinding({
            clientId: "c", projectId: "p", detector: { serial: "MD-0001" }, s3Key: "findings/k.csv",
            periodStart: new Date("2025-03-01T00:00:00Z"), periodEnd: new Date("2025-03-01T00:00:01Z"), severity: "alert", summary: "s", score: 0.9,
        });
        expect(result).to.deep.equal({ id: "f-1" });
        expect(sent()[0].Payload.op).to.equal("recordFinding");
        expect(sent()[0].Payload.args).to.include({ periodStart: "2025-03-01T00:00:00.000Z", periodEnd: "2025-03-01T00:00:01.000Z", severity: "alert" });
    });

    it("records a data file", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: true, result: "df-1" }) });
        await port().recordDataFile({
            detector: { serial: "MD-0001" }, s3Key: "curated/x.gz", source: "stream", checksum: "etag:1", rowsIn: 2, rowsOut: 2, rowsQuarantined: 0,
            status: "converted", firstReadingAt: new Date("2025-03-01T00:00:00Z"), lastReadingAt: new Date("2025-03-01T00:00:01Z"),
        });
        expect(sent()[0].Payload).to.deep.include({ op: "recordDataFile" });
        expect(sent()[0].Payload.args).to.include({ firstReadingAt: "2025-03-01T00:00:00.000Z", lastReadingAt: "2025-03-01T00:00:01.000Z", source: "stream" });
    });

    it("re-raises the registry's domain error with its code (the handler skips unknown detectors by it)", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: false, error: { code: "unknown_reference", message: "unknown detector" } }) });
        const error = await rejection(port().recordDataFile({
            detector: { serial: "MD-9999" }, s3Key: "k", source: "batch", checksum: "c", rowsIn: 1, rowsOut: 1, rowsQuarantined: 0, status: "converted",
        }));
        expect(error).to.be.instanceOf(RegistryError);
        expect((error as RegistryError).code).to.equal("unknown_reference");
    });

    it("fails as unavailable when the access function itself crashed", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled", Payload: payload({ errorMessage: "boom" }) });
        const error = await rejection(port().ownersAt([{ detector: { serial: "MD-0001" }, at: new Date() }]));
        expect((error as RegistryError).code).to.equal("unavailable");
    });
});
