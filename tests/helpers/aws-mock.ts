/**
 * aws-sdk-client-mock stubs the client class's prototype for the whole process. Creating the
 * stub when a describe block is defined (module load) lets one file's restore() undo another
 * file's stub, so stubs live exactly as long as their describe block runs.
 *
 * recordSdkCalls(name) also records every command the mocked clients receive in its describe
 * block, as the handler sends them, into tests/fixtures/sdk-calls/<name>.json: the IAM tables
 * prove the function's role allows exactly those calls (tests/helpers/iam-sdk.ts).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";

/** One SDK call: client and command class names, and the inputs that name its resource. */
export interface SdkCall {
    readonly client: string;
    readonly command: string;
    readonly resource: Record<string, string>;
}

/** Inputs that name the resource a call acts on (what IAM authorizes it against). */
const RESOURCE_INPUTS = ["Bucket", "Key", "FunctionName", "SecretId", "TopicArn", "TargetArn", "QueueUrl", "EndpointName", "StreamName", "StreamARN", "DeliveryStreamName"];

export const SDK_CALLS_DIR = path.join(__dirname, "..", "fixtures", "sdk-calls");
let recording: SdkCall[] | undefined;

export function mockedDuring<T>(client: new (...args: any[]) => T): () => AwsClientStub<T> {
    let stub: AwsClientStub<T> | undefined;
    before(() => { stub = mockClient(client as any) as unknown as AwsClientStub<T>; });
    afterEach(() => {
        if (recording && stub) {
            for (const call of stub.calls()) {
                const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
                const resource = Object.fromEntries(RESOURCE_INPUTS.filter((k) => typeof command.input?.[k] === "string").map((k) => [k, String(command.input[k])]));
                recording.push({ client: client.name, command: command.constructor.name, resource });
            }
        }
        stub?.reset();
    });
    after(() => stub?.restore());
    return () => {
        if (!stub) throw new Error("mockedDuring: the stub exists only while its describe block runs");
        return stub;
    };
}

/**
 * Records the calls of the mocked clients in this describe block (call before mockedDuring).
 * The recording must equal the committed tests/fixtures/sdk-calls/<name>.json; after a
 * handler starts or stops a call, re-record with MDETECT_RECORD_SDK_CALLS=1.
 */
export function recordSdkCalls(name: string): void {
    before(() => { recording = []; });
    after(() => {
        const calls = uniqueCalls(recording ?? []);
        recording = undefined;
        const file = path.join(SDK_CALLS_DIR, `${name}.json`);
        if (process.env.MDETECT_RECORD_SDK_CALLS === "1") {
            fs.mkdirSync(SDK_CALLS_DIR, { recursive: true });
            fs.writeFileSync(file, `${JSON.stringify(calls, null, 2)}\n`);
            return;
        }
        const committed = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
        expect(calls, `SDK calls of ${name} changed: re-record with MDETECT_RECORD_SDK_CALLS=1 and check its IAM table`).to.deep.equal(committed);
    });
}

export function uniqueCalls(calls: readonly SdkCall[]): SdkCall[] {
    const byKey = new Map(calls.map((c) => [JSON.stringify(c), c]));
    return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

export function recordedSdkCalls(name: string): SdkCall[] {
    return JSON.parse(fs.readFileSync(path.join(SDK_CALLS_DIR, `${name}.json`), "utf8"));
}
