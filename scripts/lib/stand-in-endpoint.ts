/**
 * The stand-in SageMaker runtime: speaks the InvokeEndpoint wire protocol
 * (POST /endpoints/{name}/invocations, text/csv in, text/csv out, errors as restJson with
 * x-amzn-ErrorType) and scores with the JSON sample model, so the real SDK client runs end to end.
 * Failures can be queued per request (the retry tests need them); bodies over the payload limit
 * are refused like the service refuses them. The real model is served by
 * scripts/lib/local-endpoint.ts; `startScoringEndpoint` falls back to this one only where no
 * Python with scikit-learn 1.2 exists, and says so.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { FEATURE_COUNT } from "../../functions/inference/contract";
import { LocalEndpoint, ScoringEndpoint, localRuntimeClient } from "./local-endpoint";
import { modelPython } from "./local-endpoint-python";
import { SampleModel, loadSampleModel, sampleScore } from "./sample-model";

/** Decimal numbers only, as the model's np.loadtxt reads them (JavaScript's Number() also takes "0x64"). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** An injected failure: the HTTP status and the error type SageMaker would name. */
export type Failure = 429 | 500 | 503 | 400;
const ERROR_TYPES: Record<Failure, string> = { 429: "ThrottlingException", 500: "InternalFailure", 503: "ServiceUnavailable", 400: "ValidationError" };

export interface InvocationRecord {
    readonly endpoint: string;
    readonly bytes: number;
    readonly rows: number;
    readonly status: number;
}

export interface SageMakerServerOptions {
    readonly endpointName?: string;
    /** Largest accepted request and response body in bytes. */
    readonly limitBytes: number;
    readonly model?: SampleModel;
}

export class SageMakerServer implements ScoringEndpoint {
    readonly kind = "stand-in" as const;
    readonly invocations: InvocationRecord[] = [];
    private failures: Failure[] = [];
    private server?: http.Server;
    private readonly model: SampleModel;
    readonly endpointName: string;

    constructor(private readonly options: SageMakerServerOptions) {
        this.model = options.model ?? loadSampleModel();
        this.endpointName = options.endpointName ?? "mdetect-test-endpoint";
    }

    /** The next requests fail with these statuses, in order; later ones succeed. */
    failNext(...statuses: Failure[]): void {
        this.failures.push(...statuses);
    }

    /** Every request fails with this status until reset. */
    failAlways(status: Failure): void {
        this.failures = new Array(1_000_000).fill(status);
    }

    reset(): void {
        this.failures = [];
        this.invocations.length = 0;
    }

    get url(): string {
        const { port } = this.server!.address() as AddressInfo;
        return `http://127.0.0.1:${port}`;
    }

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => {
            const parts: Buffer[] = [];
            req.on("data", (p: Buffer) => parts.push(p));
            req.on("end", () => this.handle(req, Buffer.concat(parts), res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return this;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    }

    /** A real SDK client pointed here, with fake credentials and no SDK-level retries. */
    client(): SageMakerRuntimeClient {
        return localRuntimeClient(this.url);
    }

    private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
        const match = /^\/endpoints\/([^/]+)\/invocations$/.exec(req.url ?? "");
        const endpoint = decodeURIComponent(match?.[1] ?? "");
        const record = (status: number, rows = 0) => this.invocations.push({ endpoint, bytes: body.length, rows, status });
        const fail = (status: number, type: string, message: string, extra: Record<string, unknown> = {}) => {
            record(status);
            res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
            res.end(JSON.stringify({ message, ...extra }));
        };
        if (req.method !== "POST" || !match) return fail(404, "UnknownOperationException", `no route ${req.method} ${req.url}`);
        if (endpoint !== this.endpointName) return fail(400, "ValidationError", `Endpoint ${endpoint} not found.`);
        const injected = this.failures.shift();
        if (injected) return fail(injected, ERROR_TYPES[injected], `injected ${injected}`);
        if (body.length > this.options.limitBytes) return fail(413, "ValidationError", `Request payload of ${body.length} bytes exceeds ${this.options.limitBytes}`);
        if (!String(req.headers["content-type"]).startsWith("text/csv")) return fail(415, "ValidationError", "expected text/csv");

        const scored = this.score(body.toString("utf8"));
        // As the real container answers a bad body 400, which the runtime returns as ModelError (scripts/lib/local-endpoint.ts).
        if (typeof scored === "string") return fail(424, "ModelError", scored, { OriginalStatusCode: 400, OriginalMessage: scored });
        if (Buffer.byteLength(scored.text) > this.options.limitBytes) return fail(413, "ValidationError", "response exceeds the payload limit");
        record(200, scored.rows);
        res.writeHead(200, { "content-type": "text/csv", "x-amzn-invoked-production-variant": "AllTraffic" });
        res.end(scored.text);
    }

    /** Scores every line; an error text (the container's 4xx) when a line breaks the contract. */
    private score(text: string): { text: string; rows: number } | string {
        const lines = text.split("\n");
        if (lines[lines.length - 1] === "") lines.pop();
        const out: string[] = [];
        for (const [i, line] of lines.entries()) {
            const fields = line.split(",");
            if (fields.length !== FEATURE_COUNT || !fields.every((f) => DECIMAL.test(f.trim()))) return `line ${i + 1}: expected ${FEATURE_COUNT} numbers`;
            const x = fields.map(Number);
            out.push(String(sampleScore(this.model, x)));
        }
        return { text: out.join("\n") + "\n", rows: out.length };
    }
}

/**
 * The packaged model on a local endpoint when a Python with scikit-learn 1.2 exists; otherwise
 * the JSON stand-in, with the reason printed (its scores are the sample model's, not the artifact's).
 */
export async function startScoringEndpoint(options: { artifact: () => Promise<string>; limitBytes: number }): Promise<ScoringEndpoint> {
    const python = modelPython();
    if (python.ok) return LocalEndpoint.start({ artifact: await options.artifact(), limitBytes: options.limitBytes });
    console.log(`    [stand-in] ${python.reason}: scoring with the JSON sample model instead of the packaged model`);
    return new SageMakerServer({ limitBytes: options.limitBytes }).start();
}
