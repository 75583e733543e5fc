/**
 * Runs a function of the plan the way Lambda does: its serialized package alone in a
 * directory (only the node_modules its zip ships), in child processes that are its execution
 * environments, with the plan's environment plus what Lambda itself sets, its own credentials
 * (so every AWS call it makes is signed as that function's role) and AWS_ENDPOINT_URL_<SERVICE>
 * pointing the unmodified SDK at the local fronts. The timeout is enforced by killing the
 * environment, as Lambda does; at most `reservedConcurrency` environments run at once.
 *
 * SDK v3 (package-lock: @smithy/core getEndpointUrlConfig) reads AWS_ENDPOINT_URL_ followed by
 * the client's serviceId upper-cased with spaces as underscores: S3, KINESIS, FIREHOSE,
 * SAGEMAKER_RUNTIME, SNS, SQS, LAMBDA, CLOUDWATCH, SECRETS_MANAGER.
 */
import { ChildProcess, fork } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../mock-run";
import { FunctionPlan } from "./plan";
import { Principal } from "./principals";

const RUNTIME = path.join(__dirname, "lambda-runtime.js");
/** Environments one function may run at once here when its concurrency is not reserved: the machine has few cores. */
const DEFAULT_LOCAL_CONCURRENCY = 2;

export interface InvocationResult<R = unknown> {
    readonly ok: boolean;
    readonly result?: R;
    /** Lambda's error shape: `errorType` is the error's name. */
    readonly errorType?: string;
    readonly errorMessage?: string;
    readonly durationMs: number;
    readonly billedMs: number;
}

export interface RunnerOptions {
    readonly region: string;
    /** `S3` -> `http://127.0.0.1:4568`: becomes AWS_ENDPOINT_URL_S3. */
    readonly endpoints: Readonly<Record<string, string>>;
    readonly principal: Principal;
    /** Replaces plan values that name cloud hosts (DB_HOST) with local ones; logged in docs/local.md. */
    readonly environmentOverrides?: Readonly<Record<string, string>>;
    /** Packages of the zip to take from another directory (the local CA bundle: rds-endpoint.ts). */
    readonly packageOverrides?: Readonly<Record<string, string>>;
    /** Every line the function writes to stdout/stderr (EMF metrics are among them). */
    readonly onLog?: (line: string, fn: FunctionPlan) => void;
    readonly onInvoke?: (fn: FunctionPlan, result: InvocationResult) => void;
    readonly concurrency?: number;
}

interface Environment {
    readonly child: ChildProcess;
    readonly ready: Promise<void>;
    busy: boolean;
}

export class FunctionRunner {
    private readonly directory: string;
    private readonly environments: Environment[] = [];
    private readonly waiting: (() => void)[] = [];
    private prepared?: Promise<void>;
    /** Fault injection: the next this-many invocations crash their environment mid-run (SIGKILL shortly after the event arrives). */
    crashNext = 0;

    constructor(readonly fn: FunctionPlan, private readonly options: RunnerOptions) {
        this.directory = fs.mkdtempSync(path.join(os.tmpdir(), `mdetect-fn-${fn.logicalName}-`));
    }

    /** The environment Lambda gives the function, then the plan's variables (which win, as in Lambda... except reserved keys). */
    environment(): Record<string, string> {
        const { fn, options } = this;
        const p = options.principal;
        const env: Record<string, string> = {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            TZ: ":UTC",
            LANG: "en_US.UTF-8",
            NODE_OPTIONS: `--max-old-space-size=${Math.max(64, Math.floor(fn.memoryMb * 0.9))}`,
            AWS_REGION: options.region,
            AWS_DEFAULT_REGION: options.region,
            AWS_LAMBDA_FUNCTION_NAME: fn.name,
            AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
            AWS_LAMBDA_LOG_FORMAT: "JSON",
            AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
            LAMBDA_TASK_ROOT: this.directory,
            ...fn.environment,
            ...options.environmentOverrides,
            AWS_ACCESS_KEY_ID: p.accessKeyId,
            AWS_SECRET_ACCESS_KEY: p.secretAccessKey,
            AWS_SESSION_TOKEN: p.sessionToken,
        };
        for (const [service, url] of Object.entries(options.endpoints)) env[`AWS_ENDPOINT_URL_${service}`] = url;
        return env;
    }

    private prepare(): Promise<void> {
        this.prepared ??= (async () => {
            const pkg = await this.fn.package();
            const [file] = this.fn.handler.split(".");
            fs.writeFileSync(path.join(this.directory, `${file}.js`), pkg.indexJs);
            // Only the packages the zip carries: a missing dependency fails here as it would in Lambda.
            for (const name of pkg.packages) {
                const target = path.join(this.directory, "node_modules", name);
                fs.mkdirSync(path.dirname(target), { recursive: true });
                fs.symlinkSync(this.options.packageOverrides?.[name] ?? path.join(ROOT, "node_modules", name), target, "dir");
            }
        })();
        return this.prepared;
    }

    private spawn(): Environment {
        const child = fork(RUNTIME, [this.directory, this.fn.handler], {
            cwd: this.directory,
            env: this.environment(),
            execArgv: [],
            stdio: ["ignore", "pipe", "pipe", "ipc"],
            serialization: "advanced",
        });
        for (const stream of [child.stdout!, child.stderr!]) {
            let buffered = "";
            stream.setEncoding("utf8");
            stream.on("data", (chunk: string) => {
                buffered += chunk;
                let nl: number;
                while ((nl = buffered.indexOf("\n")) >= 0) {
                    const line = buffered.slice(0, nl);
                    buffered = buffered.slice(nl + 1);
                    if (line) this.options.onLog?.(line, this.fn);
                }
            });
        }
        const ready = new Promise<void>((resolve, reject) => {
            child.once("message", (m: any) => m.type === "ready" ? resolve() : reject(Object.assign(new Error(m.errorMessage), { name: m.errorType })));
            child.once("exit", (code) => reject(new Error(`${this.fn.logicalName}: runtime exited during init (code ${code})`)));
        });
        ready.catch(() => undefined);
        const env: Environment = { child, ready, busy: false };
        child.on("exit", () => {
            const i = this.environments.indexOf(env);
            if (i >= 0) this.environments.splice(i, 1);
            this.release();
        });
        this.environments.push(env);
        return env;
    }

    private retire(env: Environment): void {
        const i = this.environments.indexOf(env);
        if (i >= 0) this.environments.splice(i, 1);
        env.child.kill("SIGKILL");
    }

    private limit(): number {
        return this.fn.reservedConcurrency ?? this.options.concurrency ?? DEFAULT_LOCAL_CONCURRENCY;
    }

    private release(): void {
        this.waiting.shift()?.();
    }

    private async acquire(): Promise<Environment> {
        for (;;) {
            const idle = this.environments.find((e) => !e.busy);
            if (idle) { idle.busy = true; return idle; }
            if (this.environments.length < this.limit()) { const e = this.spawn(); e.busy = true; return e; }
            await new Promise<void>((resolve) => this.waiting.push(resolve));
        }
    }

    /** Synchronous invocation (RequestResponse): the handler's result or Lambda's error shape. */
    async invoke<R = unknown>(event: unknown): Promise<InvocationResult<R>> {
        await this.prepare();
        const env = await this.acquire();
        const started = Date.now();
        const requestId = randomUUID();
        const finish = (r: Omit<InvocationResult<R>, "durationMs" | "billedMs">): InvocationResult<R> => {
            const durationMs = Date.now() - started;
            const result = { ...r, durationMs, billedMs: Math.max(1, Math.ceil(durationMs)) };
            this.options.onInvoke?.(this.fn, result);
            return result;
        };
        try {
            await env.ready;
        } catch (err) {
            env.child.kill("SIGKILL");
            return finish({ ok: false, errorType: (err as Error).name || "Runtime.InitError", errorMessage: (err as Error).message });
        }
        const timeoutMs = this.fn.timeoutSeconds * 1000;
        const outcome = await new Promise<Omit<InvocationResult<R>, "durationMs" | "billedMs">>((resolve) => {
            const onMessage = (m: any) => {
                if (m.requestId !== requestId) return;
                cleanup();
                resolve(m.type === "result" ? { ok: true, result: m.result } : { ok: false, errorType: m.errorType, errorMessage: m.errorMessage });
            };
            const onExit = (code: number | null, signal: string | null) => {
                cleanup();
                this.retire(env);
                resolve({ ok: false, errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` });
            };
            const timer = setTimeout(() => {
                cleanup();
                // Lambda stops the environment at the timeout; the next invocation starts a fresh one.
                this.retire(env);
                resolve({ ok: false, errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds` });
            }, timeoutMs);
            const cleanup = () => {
                clearTimeout(timer);
                env.child.off("message", onMessage);
                env.child.off("exit", onExit);
            };
            env.child.on("message", onMessage);
            env.child.on("exit", onExit);
            env.child.send({ type: "invoke", requestId, event, functionArn: this.fn.arn, deadline: Date.now() + timeoutMs });
            if (this.crashNext > 0) { this.crashNext -= 1; setTimeout(() => env.child.kill("SIGKILL"), 20); }
        });
        env.busy = false;
        this.release();
        return finish(outcome);
    }

    /** Lambda recycles idle environments when it likes: the next invocation starts a fresh one (its caches empty). */
    recycleIdle(): void {
        for (const env of this.environments.filter((e) => !e.busy)) this.retire(env);
    }

    /** Stops every environment and removes the package directory. */
    async stop(): Promise<void> {
        const exits = this.environments.map((e) => new Promise<void>((resolve) => { e.child.once("exit", () => resolve()); e.child.kill("SIGKILL"); }));
        await Promise.all(exits);
        fs.rmSync(this.directory, { recursive: true, force: true });
    }
}
