import { expect } from "chai";
import { mockedDuring } from "../../helpers/aws-mock";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { invokeRegistry } from "../../../functions/registry/access-client";
import { isRegistryError } from "../../../functions/registry/errors";

describe("registry: access client (for Lambdas outside the VPC)", () => {
    const lambda = mockedDuring(LambdaClient);
    const client = () => new LambdaClient({ region: "ap-southeast-2" });
    const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;
    const request = { op: "ownersAt" as const, args: { pairs: [{ detector: { serial: "MD-0001" }, at: "2025-01-01T00:00:00Z" }] } };

    it("invokes the access function synchronously and returns its result", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: true, result: [null] }) });
        expect(await invokeRegistry(client(), "registry-access", request)).to.deep.equal([null]);
        const input = lambda().commandCalls(InvokeCommand)[0].args[0].input;
        expect(input).to.include({ FunctionName: "registry-access", InvocationType: "RequestResponse" });
        expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).to.deep.equal(request);
    });

    it("re-raises the registry's domain error with its code", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: false, error: { code: "unknown_reference", message: "unknown detector" } }) });
        const err = await invokeRegistry(client(), "registry-access", request).catch((e) => e);
        expect(isRegistryError(err) && [err.code, err.message]).to.deep.equal(["unknown_reference", "unknown detector"]);
    });

    it("reports a crashed access function as unavailable", async () => {
        lambda().on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled", Payload: payload({ errorMessage: "Task timed out" }) });
        const err = await invokeRegistry(client(), "registry-access", request).catch((e) => e);
        expect(isRegistryError(err) && err.code).to.equal("unavailable");
    });
});
