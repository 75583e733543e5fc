/**
 * The local cloud: every service the plan uses, wired as the plan wires them, running the
 * plan's serialized functions. Time is the simulated clock: `step(seconds)` moves it a
 * second at a time, and in each second the fleet sends, Firehose polls and flushes,
 * EventBridge delivers and schedules fire, Lambda runs due asynchronous events.
 */
import { runProgram, RunOptions } from "../mock-run";
import { SimClock } from "./clock";
import { LocalHttpApi } from "./apigateway";
import { LocalEventBridge } from "./eventbridge";
import { LocalUserPool } from "./identity";
import { LocalFirehose } from "./firehose";
import { Fleet, FleetOptions } from "./fleet";
import { Authorizer, iamAuthorizer } from "./iam";
import { LocalKinesis } from "./kinesis";
import { LocalLambda } from "./lambda";
import { LambdaFront } from "./lambda-front";
import { MeterRecorder } from "./meter";
import { LocalMetrics } from "./metrics";
import { FunctionPlan, LocalPlan, readPlan, RolePlan } from "./plan";
import { Principal, Principals } from "./principals";
import { LocalS3, S3Operation } from "./s3";
import { LocalQueues } from "./sqs";
import { LocalOwner, LocalRegistry, localAlertSubscriptions } from "./registry";
import { LocalModel, localModel } from "./model";
import { Mailbox } from "./mailbox";
import { EndpointFault, LocalSageMakerRuntime } from "./sagemaker";
import { LocalSns } from "./sns";
import { EndpointPlan } from "./plan";
import { ALARM_EVALUATION_SECONDS } from "./metrics";
import { LocalRdsEndpoints } from "./rds-endpoint";
import { Meter } from "../../../policy/lib/cost/meter";

export interface LocalCloudOptions {
    readonly clock?: SimClock;
    /** Every function log line (default: kept in memory only). */
    readonly onLog?: (line: string, fn: FunctionPlan) => void;
    /** Serves the plan's SageMaker endpoint (required when the plan has one: `localModel()`). */
    readonly model?: LocalModel;
    /** Also write every e-mail as an .eml file under this directory (`mdetect local up`). */
    readonly mailDirectory?: string;
}

/**
 * What the local cloud configures for its run on top of the stack: the model (the dev stack
 * has none, so its plan would have no inference) and client alert subscriptions for the
 * seeded clients (registry.ts), so alerts have somewhere to go.
 */
export function localRunConfig(model: LocalModel): Record<string, unknown> {
    return { "mdetect:modelArtifact": model.artifact, "mdetect:clientAlertSubscriptions": localAlertSubscriptions() };
}

export class LocalCloud {
    readonly clock: SimClock;
    readonly principals = new Principals();
    readonly authorizer: Authorizer;
    readonly meter = new MeterRecorder();
    readonly metrics = new LocalMetrics();
    readonly queues: LocalQueues;
    readonly s3: LocalS3;
    readonly kinesis: LocalKinesis;
    readonly firehoses: LocalFirehose[] = [];
    lambda!: LocalLambda;
    api?: LocalHttpApi;
    users?: LocalUserPool;
    events!: LocalEventBridge;
    fleet?: Fleet;
    registry!: LocalRegistry;
    sns!: LocalSns;
    sagemaker?: LocalSageMakerRuntime;
    /** The plan's RDS instances (fault: `databases.unavailableFor(30)`). */
    databases!: LocalRdsEndpoints;
    private lambdaFront?: LambdaFront;
    private fleetReady?: Promise<unknown>;
    readonly logs: { fn: string; line: string }[] = [];
    readonly unavailable: { fn: string; reason: string }[] = [];
    /** Fault injection: S3 answers this status (500, 503) to the operations it returns one for. */
    readonly faults: {
        s3?: (op: S3Operation, principal: Principal) => number | undefined;
        /** The SageMaker runtime answers this status (429, 500, 503) instead of scoring. */
        endpoint?: (endpoint: EndpointPlan, principal: Principal) => EndpointFault | undefined;
    } = {};
    private simulatedSeconds = 0;
    private nextCloudWatchMinute = 0;

    /** The program's plan with the local run's config (localRunConfig) under `run.config`. */
    static async fromProgram(run: RunOptions = {}, options: LocalCloudOptions = {}): Promise<LocalCloud> {
        const model = options.model ?? await localModel();
        const plan = readPlan(await runProgram({ ...run, config: { ...localRunConfig(model), ...run.config } }));
        return new LocalCloud(plan, { ...options, model });
    }

    constructor(readonly plan: LocalPlan, private readonly options: LocalCloudOptions = {}) {
        this.clock = options.clock ?? new SimClock();
        this.authorizer = iamAuthorizer(plan.account, plan.region);
        this.queues = new LocalQueues(plan.queues);
        this.s3 = new LocalS3({
            buckets: plan.buckets, principals: this.principals, authorizer: this.authorizer, region: plan.region,
            keyPolicies: Object.fromEntries(plan.keys.filter((k) => k.policy).map((k) => [k.arn, k.policy!])),
            eventBridgeBuckets: plan.buckets.filter((b) => b.eventBridge).map((b) => b.name),
            hooks: {},
        });
        this.kinesis = new LocalKinesis(plan.streams, plan.keys, plan.region, this.principals, this.authorizer);
    }

    role(arn: string): RolePlan {
        const role = this.plan.roles.find((r) => r.arn === arn);
        if (!role) throw new Error(`role ${arn} is not in the plan`);
        return role;
    }

    /** A session of a role of the plan (a function's, Firehose's, a device's). */
    session(label: string, roleArn: string): Principal {
        return this.principals.issue(label, roleArn, this.role(roleArn).policies);
    }

    /** Starts every service; if one fails to start, those already started are stopped before the error is passed on. */
    async start(): Promise<void> {
        try {
            await this.startServices();
        } catch (error) {
            await this.stop().catch(() => undefined);
            throw error;
        }
    }

    private async startServices(): Promise<void> {
        await this.s3.start();
        await this.kinesis.start();
        this.s3.hooks = {
            fault: (op, principal) => this.faults.s3?.(op, principal),
            onCall: ({ op, bytesIn, bytesOut, status, allowed }) => {
                this.meter.call("s3", op.operation, bytesIn, bytesOut);
                if (allowed && status === 200 && ["PutObject", "CompleteMultipartUpload", "CopyObject"].includes(op.operation) && op.key) {
                    this.meter.object(op.key, bytesIn);
                }
            },
            onObjectCreated: (e) => this.events.put(this.events.event("aws.s3", "Object Created", [`arn:aws:s3:::${e.bucket}`], {
                version: "0", bucket: { name: e.bucket }, object: { key: e.key, size: e.size, etag: e.etag, sequencer: Date.now().toString(16).toUpperCase() },
                "request-id": e.etag.slice(0, 16).toUpperCase(), requester: this.plan.account, "source-ip-address": "127.0.0.1", reason: e.reason,
            })),
        };
        this.kinesis.hooks = { onCall: (call, reply) => this.meter.call("kinesis", call.operation, call.rawBody.length, Buffer.byteLength(reply.body)) };
        this.registry = await LocalRegistry.create();
        this.databases = new LocalRdsEndpoints(this.plan, this.registry, this.principals, this.authorizer, this.clock);
        this.databases.onStatements = (count) => this.meter.registryQueries(count);
        await this.databases.start();
        this.lambdaFront = new LambdaFront(this.plan.functions, this.principals, this.authorizer, async (fn, payload) => {
            const r = await this.lambda.invoke(fn.arn, payload);
            return r.ok ? { ok: true, result: r.result } : { ok: false, errorType: r.errorType ?? "Unhandled", errorMessage: r.errorMessage ?? "" };
        });
        this.lambdaFront.onInvoke = (_fn, bytesIn, bytesOut) => this.meter.call("lambda", "Invoke", bytesIn, bytesOut);
        this.sns = new LocalSns(this.plan.topics, this.plan.keys, this.plan.region, this.principals, this.authorizer, new Mailbox(this.options.mailDirectory), this.clock);
        this.sns.hooks = { onPublish: (c) => { this.meter.call("sns", "Publish", c.bytesIn, 0); for (let i = 0; i < c.deliveries; i++) this.meter.call("sns", "Notification", 0, 0); } };
        const endpoints: Record<string, string> = { S3: this.s3.url, KINESIS: this.kinesis.url, LAMBDA: await this.lambdaFront.start(), SNS: await this.sns.start() };
        if (this.plan.endpoints.length) endpoints.SAGEMAKER_RUNTIME = await this.startSageMaker();
        this.lambda = new LocalLambda(this.plan, this.clock, this.queues, (fn) => {
            const database = this.databases.runnerOptions(fn);
            if (typeof database === "string") { this.unavailable.push({ fn: fn.logicalName, reason: database }); return undefined; }
            return {
                ...database,
                region: this.plan.region, endpoints, principal: this.session(fn.logicalName, fn.role.arn),
                onLog: (line, f) => { this.logs.push({ fn: f.logicalName, line }); this.metrics.fromLogLine(line, this.clock.now()); this.options.onLog?.(line, f); },
                onInvoke: (f, r) => {
                    this.meter.invocation(f.logicalName, f.memoryMb, r.billedMs);
                    const point = (name: string, value: number) => this.metrics.put({ namespace: "AWS/Lambda", name, dimensions: { FunctionName: f.name }, value, time: this.clock.now() });
                    point("Invocations", 1); point("Errors", r.ok ? 0 : 1); point("Duration", r.durationMs);
                },
            };
        });
        this.events = new LocalEventBridge(this.plan, this.clock, this.lambda, this.queues, this.authorizer, (s) => Principals.service(s));
        const jwt = this.plan.routes.find((r) => r.authorizer?.type === "JWT")?.authorizer;
        if (this.plan.routes.length) {
            this.users = new LocalUserPool(jwt?.issuer ?? "local", jwt?.audiences[0] ?? "local");
            await this.users.start();
            this.api = new LocalHttpApi(this.plan, this.lambda, this.users, this.authorizer);
            await this.api.start();
        }
        for (const d of this.plan.deliveryStreams) {
            const runnable = d.processor && this.lambda.runners.has(d.processor.functionArn);
            if (d.processor && !runnable) throw new Error(`delivery stream ${d.name}: its processor ${d.processor.functionArn} cannot run locally`);
            const invoke = d.processor ? (event: unknown) => this.lambda.invoke(d.processor!.functionArn, event) : undefined;
            this.firehoses.push(new LocalFirehose(d, this.clock, invoke, { s3: this.s3.url, kinesis: this.kinesis.url }, this.session(d.name, d.destination.roleArn), this.plan.region));
        }
    }

    /** The SageMaker runtime front, served by the run's model; its URL. */
    private async startSageMaker(): Promise<string> {
        if (this.plan.endpoints.length > 1) throw new Error(`the plan has ${this.plan.endpoints.length} SageMaker endpoints; the local cloud serves one model`);
        const model = this.options.model;
        if (!model) throw new Error("the plan has a SageMaker endpoint: pass options.model (localModel()) to serve it");
        const [endpoint] = this.plan.endpoints;
        this.sagemaker = new LocalSageMakerRuntime(this.plan.endpoints, this.plan.account, this.principals, this.authorizer, await model.serve(endpoint.name, endpoint.kind));
        this.sagemaker.hooks = {
            fault: (e, p) => this.faults.endpoint?.(e, p),
            onInvoke: (c) => { this.meter.call("sagemaker", "InvokeEndpoint", c.bytesIn, c.bytesOut); if (c.status === 200) this.meter.endpointRequest(c.rows, c.bytesIn); },
        };
        return this.sagemaker.start();
    }

    /** CloudWatch's minute: SQS publishes queue depths, then every alarm is evaluated (metrics.ts). */
    private async cloudWatchMinute(): Promise<void> {
        const now = this.clock.now();
        this.nextCloudWatchMinute = now + ALARM_EVALUATION_SECONDS * 1000;
        for (const q of this.plan.queues) {
            this.metrics.put({ namespace: "AWS/SQS", name: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: q.name }, value: this.queues.visible(q.arn).length, time: now });
        }
        const cloudwatch = Principals.service("cloudwatch.amazonaws.com");
        await this.metrics.evaluate(this.plan.alarms, now, this.plan.region, this.plan.account, async (topicArn, subject, message, alarm) => {
            await this.sns.publish(cloudwatch, { TopicArn: topicArn, Subject: subject, Message: message }, { "aws:SourceArn": alarm.arn, "aws:SourceAccount": this.plan.account });
        });
    }

    /**
     * Detectors sending to the plan's telemetry stream with sessions of the plan's device role,
     * deployed in turn to each of `owners` (default: all to the first seeded client).
     */
    startFleet(options: FleetOptions, owners?: readonly LocalOwner[]): Fleet {
        const stream = this.plan.deliveryStreams.find((d) => d.sourceStreamArn)?.sourceStreamArn;
        const target = this.plan.streams.find((s) => s.arn === stream) ?? this.plan.streams[0];
        const deviceRole = this.plan.deviceRoleArns[0];
        if (!target || !deviceRole) throw new Error("the plan has no telemetry stream or device role alias");
        const fleet = new Fleet(options, this.clock, target.name, this.kinesis.url, this.plan.region, (s) => this.session(`detector ${s}`, deviceRole));
        this.fleet = fleet;
        // Provisioned as staff would: each detector's key in the registry, deployed from a day ago.
        const since = new Date(this.clock.now() - 86_400_000);
        const keys = fleet.publicKeys();
        const groups = owners?.length ? owners.map((owner, i) => ({ owner, serials: fleet.serials.filter((_, n) => n % owners.length === i) })) : [{ owner: undefined, serials: fleet.serials }];
        // One after another: concurrent certificate registrations deadlock on the registry's locks.
        this.fleetReady = groups.reduce<Promise<unknown>>((done, g) => done.then(() => this.registry.deploy(g.serials, since, keys, g.owner)), Promise.resolve());
        return fleet;
    }

    /** Advances the simulated clock `seconds`, one second at a time. */
    async step(seconds: number): Promise<void> {
        await this.fleetReady;
        for (let i = 0; i < seconds; i++) {
            this.clock.advance(1);
            this.simulatedSeconds += 1;
            await this.fleet?.tick();
            for (const f of this.firehoses) await f.tick();
            await this.events.tick();
            await this.lambda.tick();
            if (this.clock.now() >= this.nextCloudWatchMinute) await this.cloudWatchMinute();
        }
    }

    /** Sends what is buffered everywhere and runs until nothing is pending (bounded). */
    async drain(maxSimulatedSeconds = 3600): Promise<void> {
        await this.fleetReady;
        await this.fleet?.flush();
        const pending = () => ({
            "Firehose records": this.firehoses.reduce((n, f) => n + f.pending(), 0),
            "EventBridge deliveries": this.events.pending(),
            "Lambda async invocations": this.lambda.pendingAsync(),
        });
        for (let i = 0; i < maxSimulatedSeconds; i++) {
            for (const f of this.firehoses) await f.tick({ force: true });
            await this.events.tick();
            await this.lambda.tick();
            if (Object.values(pending()).every((n) => n === 0)) return;
            this.clock.advance(1);
            this.simulatedSeconds += 1;
        }
        const left = Object.entries(pending()).filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`).join(", ");
        const refused = this.firehoses.flatMap((f) => f.unwrittenErrors());
        const why = refused.length ? `; S3 refused ${refused.length} object(s), the first ${refused[0]}` : "";
        throw new Error(`local cloud: still busy after ${maxSimulatedSeconds} simulated seconds of draining (pending: ${left}${why})`);
    }

    snapshotMeter(): Meter {
        const base = this.meter.snapshot(this.simulatedSeconds, this.fleet?.serials.length ?? 0);
        const fh = this.firehoses.reduce((a, f) => ({ records: a.records + f.metrics.recordsIn, bytes: a.bytes + f.metrics.bytesIn, billedBytes: a.billedBytes + f.metrics.billedBytes }), { records: 0, bytes: 0, billedBytes: 0 });
        return { ...base, firehose: fh };
    }

    async stop(): Promise<void> {
        this.fleet?.stop();
        for (const f of this.firehoses) f.stop();
        await this.api?.stop();
        await this.lambda?.stop();
        await this.lambdaFront?.stop();
        await this.sns?.stop();
        await this.sagemaker?.stop();
        await this.kinesis.stop();
        await this.s3.stop();
        await this.databases?.stop();
        await this.registry?.stop();
    }
}
