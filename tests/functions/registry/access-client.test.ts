import { expect } from "chai";
import { mockedDuring } from "../../helpers/aws-mock";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { invokeRegistry } from "../../../functions/registry/access-client";
import { handleAccessRequest } from "../../../functions/registry/access-handler";
import { isRegistryError } from "../../../functions/registry/errors";
import * as reg from "../../../functions/registry";
import type { TestDatabase } from "../../helpers/db";
import { worldPerSuite, invokeThroughHandler, t, World } from "./fixtures";

/** The client against the real handler and database: what comes back is the registry's answer, not a canned one. */
describe("registry: access client (for Lambdas outside the VPC)", () => {
    const lambda = mockedDuring(LambdaClient);
    let db: TestDatabase;
    let w: World;
    const client = () => new LambdaClient({ region: "ap-southeast-2" });

    worldPerSuite((made) => ({ db, w } = made));
    before(async () => {
        await reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2025-01-01T00:00:00Z") });
    });
    beforeEach(() => { lambda().on(InvokeCommand).callsFake(invokeThroughHandler(db.pool, handleAccessRequest)); });

    it("invokes the access function synchronously and returns the registry's result", async () => {
        const request = { op: "ownersAt" as const, args: { pairs: [
            { detector: { serial: w.d1.serial }, at: "2025-01-01T00:00:00Z" }, { detector: { serial: w.d1.serial }, at: "2024-12-31T23:59:59.999Z" },
        ] } };
        const owners = await invokeRegistry<unknown[]>(client(), "registry-access", request);
        expect(owners).to.deep.equal([{ clientId: w.clientA.id, projectId: w.projectA.id, siteId: w.mine.id, deploymentId: (await reg.listDeployments(db.pool, w.clientA.id))[0].id, detectorId: w.d1.id }, null]);
        const input = lambda().commandCalls(InvokeCommand)[0].args[0].input;
        expect(input).to.include({ FunctionName: "registry-access", InvocationType: "RequestResponse" });
    });

    it("re-raises the registry's domain error with its code", async () => {
        const err = await invokeRegistry(client(), "registry-access", { op: "recordDataFile", args: {
            detector: { serial: "MD-NONE" }, s3Key: "k", source: "batch", checksum: "c", rowsIn: 1, rowsOut: 1, rowsQuarantined: 0, status: "converted" } }).catch((e) => e);
        expect(isRegistryError(err) && [err.code, err.message]).to.deep.equal(["unknown_reference", "unknown detector"]);
    });

    it("reports a crashed access function as unavailable", async () => {
        lambda().on(InvokeCommand).callsFake(invokeThroughHandler(db.pool, async () => { throw new Error("Task timed out"); }));
        const err = await invokeRegistry(client(), "registry-access", { op: "ownersAt", args: { pairs: [] } }).catch((e) => e);
        expect(isRegistryError(err) && err.code).to.equal("unavailable");
    });
});
