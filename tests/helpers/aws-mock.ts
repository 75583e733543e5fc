/**
 * aws-sdk-client-mock stubs the client class's prototype for the whole process. Creating the
 * stub when a describe block is defined (module load) lets one file's restore() undo another
 * file's stub, so stubs live exactly as long as their describe block runs.
 *
 * recordSdkCalls(name) also records every command the mocked clients receive in its describe
 * block, and every command a real client sends or presigns inside its `during` windows (a
 * handler's call, not the test's own fixture calls), into tests/fixtures/sdk-calls/<name>.json:
 * the IAM tables prove the function's role allows exactly those calls (tests/helpers/iam-sdk.ts).
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
const RESOURCE_INPUTS = ["Bucket", "Key", "VersionId", "FunctionName", "SecretId", "TopicArn", "TargetArn", "QueueUrl", "EndpointName", "StreamName", "StreamARN", "DeliveryStreamName"];

export const SDK_CALLS_DIR = path.join(__dirname, "..", "fixtures", "sdk-calls");
let recording: SdkCall[] | undefined;
/** The recording a `during` window is filling. */
let windowed: SdkCall[] | undefined;

/**
 * Ids a run generates (database UUIDs in keys, and the hash tags derived from them) become
 * fixed ones of the same shape, so a recording is the same on every run; the IAM decision
 * depends on the key's prefix, which this keeps.
 */
const GENERATED_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const FIXED_ID = "00000000-0000-4000-8000-000000000000";
const HASH_TAG = /\b[0-9a-f]{16,64}\b/g;
const fixedIds = (value: string) => value.replace(GENERATED_ID, FIXED_ID).replace(HASH_TAG, (tag) => "0".repeat(tag.length));

function callOf(client: string, command: string, input: Record<string, unknown> | undefined): SdkCall {
    const resource = Object.fromEntries(RESOURCE_INPUTS.filter((k) => typeof input?.[k] === "string")
        .map((k) => [k, fixedIds(String(input![k]))]));
    return { client, command, resource };
}

/**
 * Every SDK v3 command, sent (Client.send) or presigned (getSignedUrl), resolves its middleware
 * through smithy's Command.resolveMiddlewareWithContext with its client and command names: the
 * one place that sees the calls of clients a handler builds itself, in the serialized package too
 * (it loads the same node_modules). The copy the S3 client uses is the one patched.
 */
const smithyCommand: { prototype: any } = require(require.resolve("@smithy/core/client", { paths: [path.dirname(require.resolve("@aws-sdk/client-s3"))] })).Command;
const resolveMiddleware = smithyCommand.prototype.resolveMiddlewareWithContext;
if (typeof resolveMiddleware !== "function") throw new Error("@smithy/core changed: Command.resolveMiddlewareWithContext is gone, SDK calls cannot be recorded");
smithyCommand.prototype.resolveMiddlewareWithContext = function (this: { input?: Record<string, unknown> }, ...args: any[]) {
    const { clientName, commandName } = args[3] ?? {};
    if (windowed && clientName && commandName) windowed.push(callOf(clientName, commandName, this.input));
    return resolveMiddleware.apply(this, args);
};

export function mockedDuring<T>(client: new (...args: any[]) => T): () => AwsClientStub<T> {
    let stub: AwsClientStub<T> | undefined;
    before(() => { stub = mockClient(client as any) as unknown as AwsClientStub<T>; });
    afterEach(() => {
        if (recording && stub) {
            for (const call of stub.calls()) {
                const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
                recording.push(callOf(client.name, command.constructor.name, command.input));
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

export interface SdkRecording {
    /** Runs `handler` recording every command a real client sends or presigns meanwhile. */
    during<T>(handler: () => Promise<T>): Promise<T>;
}

/**
 * Records the calls of the mocked clients in this describe block (call before mockedDuring),
 * and those of real clients inside `during`. The recording must equal the committed
 * tests/fixtures/sdk-calls/<name>.json; after a handler starts or stops a call, re-record with
 * MDETECT_RECORD_SDK_CALLS=1.
 */
export function recordSdkCalls(name: string): SdkRecording {
    const calls: SdkCall[] = [];
    before(() => { calls.length = 0; recording = calls; });
    after(() => {
        const recorded = uniqueCalls(calls);
        recording = undefined;
        const file = path.join(SDK_CALLS_DIR, `${name}.json`);
        if (process.env.MDETECT_RECORD_SDK_CALLS === "1") {
            fs.mkdirSync(SDK_CALLS_DIR, { recursive: true });
            fs.writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
            return;
        }
        const committed = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
        expect(recorded, `SDK calls of ${name} changed: re-record with MDETECT_RECORD_SDK_CALLS=1 and check its IAM table`).to.deep.equal(committed);
    });
    return {
        async during(handler) {
            if (windowed) throw new Error(`${name}: recording windows do not nest`);
            windowed = calls;
            try {
                return await handler();
            } finally {
                windowed = undefined;
            }
        },
    };
}

export function uniqueCalls(calls: readonly SdkCall[]): SdkCall[] {
    const byKey = new Map(calls.map((c) => [JSON.stringify(c), c]));
    return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

export function recordedSdkCalls(name: string): SdkCall[] {
    return JSON.parse(fs.readFileSync(path.join(SDK_CALLS_DIR, `${name}.json`), "utf8"));
}
