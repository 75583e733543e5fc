/**
 * For Lambdas outside the VPC: call the registry access Lambda synchronously and get the
 * result, or the registry's domain error re-raised with its code.
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { RegistryError, RegistryUnavailableError } from "./errors";
import type { AccessRequest, AccessResponse } from "./access-handler";

export async function invokeRegistry<T>(lambda: LambdaClient, functionName: string, request: AccessRequest): Promise<T> {
    const out = await lambda.send(new InvokeCommand({
        FunctionName: functionName,
        InvocationType: "RequestResponse",
        Payload: Buffer.from(JSON.stringify(request)),
    }));
    if (out.FunctionError || !out.Payload) throw new RegistryUnavailableError();
    const response = JSON.parse(Buffer.from(out.Payload).toString("utf8")) as AccessResponse<T>;
    if (!response.ok) throw new RegistryError(response.error.code, response.error.message);
    return response.result;
}
