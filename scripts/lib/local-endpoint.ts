/**
 * A local SageMaker endpoint serving a packaged model.tar.gz with the artifact's own
 * code/inference.py (model/serve.py under the model Python), reachable through the real
 * @aws-sdk/client-sagemaker-runtime with an endpoint override, exactly as in AWS:
 * `const ep = await LocalEndpoint.start({ artifact }); ep.client().send(new InvokeEndpointCommand({ EndpointName: ep.endpointName, ... }))`.
 * Used by `mdetect model check`, the inference tests and benchmark, and the local cloud.
 */
import { ChildProcessWithoutNullStreams, spawn } from "child_process";
import * as http from "http";
import * as path from "path";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { MODEL_DIR, requireModelPython } from "./local-endpoint-python";

/** Loading the model and binding the port; a cold SageMaker container gets minutes, a laptop needs seconds. */
const START_TIMEOUT_MS = 60_000;
/** SageMaker's health check: /ping must answer within 2 s (Custom Inference Code with Hosting Services). */
const PING_TIMEOUT_MS = 2_000;
/** Kept from the server's stderr for the error message when it fails to start. */
const STDERR_TAIL_BYTES = 4_096;

/** What the tests, the benchmark and the local cloud need from any local endpoint (the model's or the stand-in's). */
export interface ScoringEndpoint {
    /** "model": the artifact's inference.py under scikit-learn; "stand-in": the JSON sample model in TypeScript. */
    readonly kind: "model" | "stand-in";
    readonly url: string;
    readonly endpointName: string;
    client(): SageMakerRuntimeClient;
    stop(): Promise<void>;
}

/** A real SDK client for a local endpoint: fake credentials, no SDK-level retries (the Lambda's own retry is under test). */
export function localRuntimeClient(url: string): SageMakerRuntimeClient {
    return new SageMakerRuntimeClient({
        endpoint: url,
        region: "ap-southeast-2",
        credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
        maxAttempts: 1,
    });
}

export interface LocalEndpointOptions {
    /** A model.tar.gz as `mdetect model package` writes it, or a directory holding its unpacked contents. */
    readonly artifact: string;
    readonly endpointName?: string;
    /** Largest request and response body (PAYLOAD_LIMIT_BYTES of the endpoint kind modelled). */
    readonly limitBytes: number;
    /** Fixed port; default: a free one chosen by the OS. */
    readonly port?: number;
}

function ping(url: string): Promise<boolean> {
    return new Promise((resolve) => {
        const req = http.get(`${url}/ping`, { timeout: PING_TIMEOUT_MS }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(false));
    });
}

export class LocalEndpoint implements ScoringEndpoint {
    readonly kind = "model" as const;
    private exited: Promise<void>;

    private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly url: string, readonly endpointName: string) {
        this.exited = new Promise((resolve) => {
            if (child.exitCode !== null) resolve();
            else child.once("exit", () => resolve());
        });
    }

    /** Spawns model/serve.py, waits for `listening <port>` and a 200 from /ping. */
    static async start(options: LocalEndpointOptions): Promise<LocalEndpoint> {
        const python = requireModelPython();
        const endpointName = options.endpointName ?? "mdetect-local-endpoint";
        const source = options.artifact.endsWith(".tar.gz") ? "--artifact" : "--model-dir";
        const child = spawn(python, [
            path.join(MODEL_DIR, "serve.py"), source, path.resolve(options.artifact),
            "--port", String(options.port ?? 0), "--endpoint-name", endpointName, "--limit-bytes", String(options.limitBytes),
        ], { stdio: ["pipe", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (b: Buffer) => { stderr = (stderr + b.toString("utf8")).slice(-STDERR_TAIL_BYTES); });
        const failure = (why: string) => new Error(`local endpoint for ${options.artifact} ${why}${stderr.trim() ? `: ${stderr.trim().split("\n").pop()}` : ""}`);

        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => { child.kill(); reject(failure(`did not start within ${START_TIMEOUT_MS / 1000} s`)); }, START_TIMEOUT_MS);
            child.stdout.on("data", (b: Buffer) => {
                out += b.toString("utf8");
                const match = /^listening (\d+)$/m.exec(out);
                if (match) { clearTimeout(timer); resolve(Number(match[1])); }
            });
            child.once("error", (e) => { clearTimeout(timer); reject(failure(e.message)); });
            child.once("exit", (code) => { clearTimeout(timer); reject(failure(`exited with ${code} before listening`)); });
        });
        const endpoint = new LocalEndpoint(child, `http://127.0.0.1:${port}`, endpointName);
        const deadline = Date.now() + START_TIMEOUT_MS;
        while (!(await ping(endpoint.url))) {
            if (Date.now() > deadline) { await endpoint.stop(); throw failure("never answered /ping with 200"); }
            await new Promise((r) => setTimeout(r, 100));
        }
        return endpoint;
    }

    client(): SageMakerRuntimeClient {
        return localRuntimeClient(this.url);
    }

    /** Closes the server's stdin (it shuts down and removes its unpacked copy); kills it if it lingers. */
    async stop(): Promise<void> {
        this.child.stdin.end();
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
        await this.exited;
        clearTimeout(timer);
    }
}
