/** Device certificates through the registry access Lambda (the transform runs outside the VPC). */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { invokeRegistry } from "../registry/access-client";
import { DeviceKeyRecord, FetchDeviceKeys } from "./keyring";

export function registryDeviceKeys(lambda: LambdaClient, functionName: string): FetchDeviceKeys {
    return (thingNames) => invokeRegistry<DeviceKeyRecord[]>(lambda, functionName, { op: "deviceKeys", args: { thingNames } });
}
