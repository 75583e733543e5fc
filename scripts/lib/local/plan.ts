/**
 * The local cloud's plan: what the Pulumi program declares, read from the mock run and nothing
 * else. Every emulator is configured from this, so a change to the program (a new prefix, a
 * tighter role, another route) changes the local cloud with it. Resources are found by type
 * and by the references between them (ARNs, ids), never by hard-coded names.
 */
import { ProgramRun, PlannedResource } from "../mock-run";

export const TYPES = {
    function: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    managedPolicy: "aws:iam/policy:Policy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    stream: "aws:kinesis/stream:Stream",
    deliveryStream: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketNotification: "aws:s3/bucketNotification:BucketNotification",
    roleAlias: "aws:iot/roleAlias:RoleAlias",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    queue: "aws:sqs/queue:Queue",
    queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
    api: "aws:apigatewayv2/api:Api",
    route: "aws:apigatewayv2/route:Route",
    integration: "aws:apigatewayv2/integration:Integration",
    authorizer: "aws:apigatewayv2/authorizer:Authorizer",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    permission: "aws:lambda/permission:Permission",
    endpoint: "aws:sagemaker/endpoint:Endpoint",
    endpointConfiguration: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    key: "aws:kms/key:Key",
    dbInstance: "aws:rds/instance:Instance",
} as const;

export interface PolicyDocument {
    readonly Version?: string;
    readonly Statement: readonly Record<string, unknown>[];
}

export interface RolePlan {
    readonly arn: string;
    readonly name: string;
    /** Inline and attached policies, by name: the identity policies IAM evaluates. */
    readonly policies: readonly { readonly name: string; readonly policy: PolicyDocument }[];
}

export interface FunctionPackage {
    /** `__index.js` as Pulumi serialized the callback. */
    readonly indexJs: string;
    /** `node_modules/<pkg>` directories the zip ships (top-level packages, scoped included). */
    readonly packages: readonly string[];
}

export interface FunctionPlan {
    /** Logical name in the program (`mdetect-batch`): the meter's key. */
    readonly logicalName: string;
    /** Physical name (`mdetect-batch-a1b2c3d`): what other resources refer to. */
    readonly name: string;
    readonly arn: string;
    readonly handler: string;
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly reservedConcurrency?: number;
    readonly environment: Readonly<Record<string, string>>;
    readonly role: RolePlan;
    readonly deadLetterArn?: string;
    readonly inVpc: boolean;
    /** The function's resource policy, built from the program's lambda Permissions (who may invoke it). */
    readonly resourcePolicy?: PolicyDocument;
    package(): Promise<FunctionPackage>;
}

export interface StreamPlan { readonly name: string; readonly arn: string; readonly shards: number; readonly keyArn?: string }

export interface S3DestinationPlan {
    readonly bucket: string;
    readonly roleArn: string;
    readonly prefix: string;
    readonly errorOutputPrefix?: string;
    readonly bufferingSizeMiB: number;
    readonly bufferingIntervalSeconds: number;
    readonly compression: "UNCOMPRESSED" | "GZIP";
    readonly fileExtension: string;
    readonly kmsKeyArn?: string;
}

export interface DeliveryStreamPlan {
    readonly name: string;
    readonly arn: string;
    readonly sourceStreamArn?: string;
    readonly sourceRoleArn?: string;
    readonly destination: S3DestinationPlan;
    readonly processor?: { readonly functionArn: string; readonly bufferSizeMiB: number; readonly bufferIntervalSeconds: number; readonly retries: number };
    readonly backup?: S3DestinationPlan;
}

export interface RuleTargetPlan {
    readonly arn: string;
    readonly retry: { readonly maximumEventAgeSeconds: number; readonly maximumRetryAttempts: number };
    readonly deadLetterArn?: string;
}

export interface RulePlan {
    readonly name: string;
    readonly arn: string;
    readonly eventPattern?: Record<string, unknown>;
    readonly scheduleExpression?: string;
    readonly targets: readonly RuleTargetPlan[];
}

export interface RoutePlan {
    readonly routeKey: string;
    /** The API's execute-api ARN: API Gateway's source ARN when it invokes the integration. */
    readonly executionArn: string;
    readonly functionArn: string;
    readonly payloadFormatVersion: string;
    readonly authorizer?: { readonly type: string; readonly issuer: string; readonly audiences: readonly string[]; readonly identitySources: readonly string[] };
    readonly authorizationScopes?: readonly string[];
}

export interface TopicPlan {
    readonly name: string;
    readonly arn: string;
    readonly displayName?: string;
    /** SSE-KMS: publishers need kms:GenerateDataKey* and kms:Decrypt on it. */
    readonly keyArn?: string;
    readonly policy?: PolicyDocument;
    readonly subscriptions: readonly { readonly protocol: string; readonly endpoint: string; readonly filterPolicy?: Record<string, unknown>; readonly filterPolicyScope: string }[];
}

export interface AlarmPlan {
    readonly name: string;
    readonly arn: string;
    readonly description?: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly statistic: string;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
    readonly threshold: number;
    readonly comparison: string;
    readonly treatMissingData: string;
    readonly alarmActions: readonly string[];
    readonly okActions: readonly string[];
    readonly insufficientDataActions: readonly string[];
}

/** A SageMaker endpoint of the plan: what InvokeEndpoint addresses (by name) and IAM names (by ARN). */
export interface EndpointPlan {
    readonly name: string;
    readonly arn: string;
    /** From its endpoint configuration: a serverless variant or instances (the payload limit differs). */
    readonly kind: "serverless" | "instance";
}

export interface BucketPlan {
    readonly name: string;
    readonly arn: string;
    readonly policy?: PolicyDocument;
    readonly kmsKeyArn?: string;
    /** The bucket sends its object events to EventBridge (a BucketNotification with eventbridge: true). */
    readonly eventBridge?: boolean;
}
/** An RDS instance: functions find it by DB_HOST = address; `dbuser:` ARNs name its resource id. */
export interface DatabasePlan { readonly address: string; readonly port: number; readonly resourceId: string }
export interface KeyPlan { readonly arn: string; readonly policy?: PolicyDocument }
export interface QueuePlan { readonly name: string; readonly arn: string; readonly policy?: PolicyDocument }

export interface LocalPlan {
    readonly account: string;
    readonly region: string;
    readonly stack: string;
    readonly functions: readonly FunctionPlan[];
    readonly roles: readonly RolePlan[];
    readonly streams: readonly StreamPlan[];
    readonly deliveryStreams: readonly DeliveryStreamPlan[];
    readonly buckets: readonly BucketPlan[];
    readonly keys: readonly KeyPlan[];
    readonly rules: readonly RulePlan[];
    readonly queues: readonly QueuePlan[];
    readonly routes: readonly RoutePlan[];
    readonly topics: readonly TopicPlan[];
    readonly alarms: readonly AlarmPlan[];
    readonly endpoints: readonly EndpointPlan[];
    /** Roles devices assume through the IoT credentials provider (the program's role aliases). */
    readonly deviceRoleArns: readonly string[];
    readonly databases: readonly DatabasePlan[];
    readonly outputs: Readonly<Record<string, unknown>>;
}

/** A policy input as the provider receives it: a JSON string or an object. */
function doc(value: unknown): PolicyDocument | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    return (typeof value === "string" ? JSON.parse(value) : value) as PolicyDocument;
}

/** The values other resources use to refer to `r`: its id, ARN, name. */
function handles(r: PlannedResource): string[] {
    return [r.state.id, `${r.name}-id`, r.state.arn, r.state.name, r.state.url, r.state.bucket].filter((v): v is string => typeof v === "string");
}

function refersTo(value: unknown, r: PlannedResource): boolean {
    return typeof value === "string" && handles(r).includes(value);
}

function accountOf(arn: string): string {
    return arn.split(":")[4] ?? "";
}

export function readPlan(run: ProgramRun): LocalPlan {
    const of = (type: string) => run.resources.filter((r) => r.type === type);
    const region = String(run.config["aws:region"] ?? "us-east-1");

    const managed = of(TYPES.managedPolicy);
    const roles: RolePlan[] = of(TYPES.role).map((role) => {
        const inline = of(TYPES.rolePolicy).filter((p) => refersTo(p.inputs.role, role))
            .map((p) => ({ name: String(p.inputs.name ?? p.name), policy: doc(p.inputs.policy)! }));
        const attached = of(TYPES.rolePolicyAttachment).filter((a) => refersTo(a.inputs.role, role))
            .flatMap((a) => managed.filter((m) => refersTo(a.inputs.policyArn, m)).map((m) => ({ name: m.name, policy: doc(m.inputs.policy)! })));
        for (const a of of(TYPES.rolePolicyAttachment).filter((x) => refersTo(x.inputs.role, role))) {
            if (!managed.some((m) => refersTo(a.inputs.policyArn, m))) {
                throw new Error(`role ${role.name}: attached policy ${a.inputs.policyArn} is not declared by the program; the local cloud cannot evaluate it`);
            }
        }
        return { arn: String(role.state.arn), name: String(role.state.name ?? role.name), policies: [...inline, ...attached] };
    });
    const roleByArn = (arn: string, owner: string): RolePlan => {
        const role = roles.find((r) => r.arn === arn);
        if (!role) throw new Error(`${owner}: role ${arn} is not declared by the program`);
        return role;
    };

    const permissionsOf = (fn: PlannedResource): PolicyDocument | undefined => {
        const statements = of(TYPES.permission).filter((p) => refersTo(p.inputs.function, fn)).map((p) => {
            const condition: Record<string, Record<string, string>> = {};
            if (p.inputs.sourceArn) condition.ArnLike = { "AWS:SourceArn": p.inputs.sourceArn };
            if (p.inputs.sourceAccount) condition.StringEquals = { "AWS:SourceAccount": p.inputs.sourceAccount };
            const principal = /^\d{12}$|^arn:/.test(String(p.inputs.principal)) ? { AWS: p.inputs.principal } : { Service: p.inputs.principal };
            return { Sid: p.name, Effect: "Allow", Principal: principal, Action: p.inputs.action, Resource: fn.state.arn, ...(Object.keys(condition).length ? { Condition: condition } : {}) };
        });
        return statements.length ? { Version: "2012-10-17", Statement: statements } : undefined;
    };

    const functions: FunctionPlan[] = of(TYPES.function).map((fn) => ({
        logicalName: fn.name,
        name: String(fn.state.name),
        arn: String(fn.state.arn),
        handler: String(fn.inputs.handler ?? "__index.handler"),
        memoryMb: Number(fn.inputs.memorySize ?? 128),
        timeoutSeconds: Number(fn.inputs.timeout ?? 3),
        reservedConcurrency: fn.inputs.reservedConcurrentExecutions === undefined ? undefined : Number(fn.inputs.reservedConcurrentExecutions),
        environment: { ...(fn.inputs.environment?.variables ?? {}) },
        role: roleByArn(String(fn.inputs.role), `function ${fn.name}`),
        deadLetterArn: fn.inputs.deadLetterConfig?.targetArn,
        inVpc: Boolean(fn.inputs.vpcConfig?.subnetIds?.length),
        resourcePolicy: permissionsOf(fn),
        async package() {
            const assets = await fn.inputs.code.assets;
            const indexJs: string = await assets["__index.js"].text;
            return { indexJs, packages: Object.keys(assets).filter((k) => k.startsWith("node_modules/")).map((k) => k.slice("node_modules/".length)) };
        },
    }));

    const streams: StreamPlan[] = of(TYPES.stream).map((s) => ({
        name: String(s.state.name), arn: String(s.state.arn), shards: Number(s.inputs.shardCount ?? 1), keyArn: s.inputs.kmsKeyId,
    }));

    const s3Destination = (c: any, parentBuffer?: any): S3DestinationPlan => ({
        bucket: String(c.bucketArn).replace(/^arn:aws:s3:::/, ""),
        roleArn: String(c.roleArn),
        prefix: String(c.prefix ?? ""),
        errorOutputPrefix: c.errorOutputPrefix,
        // Documented defaults: 5 MiB, 300 s.
        bufferingSizeMiB: Number(c.bufferingSize ?? parentBuffer?.bufferingSize ?? 5),
        bufferingIntervalSeconds: Number(c.bufferingInterval ?? parentBuffer?.bufferingInterval ?? 300),
        compression: (c.compressionFormat ?? "UNCOMPRESSED") as S3DestinationPlan["compression"],
        fileExtension: String(c.fileExtension ?? (c.compressionFormat === "GZIP" ? ".gz" : "")),
        kmsKeyArn: c.kmsKeyArn,
    });
    const deliveryStreams: DeliveryStreamPlan[] = of(TYPES.deliveryStream).map((d) => {
        const ext = d.inputs.extendedS3Configuration;
        if (!ext) throw new Error(`delivery stream ${d.name}: only extended_s3 destinations are emulated`);
        const processors: any[] = ext.processingConfiguration?.enabled ? ext.processingConfiguration.processors ?? [] : [];
        const lambda = processors.find((p) => p.type === "Lambda");
        const param = (name: string) => lambda?.parameters?.find((p: any) => p.parameterName === name)?.parameterValue;
        return {
            name: String(d.state.name),
            arn: String(d.state.arn),
            sourceStreamArn: d.inputs.kinesisSourceConfiguration?.kinesisStreamArn,
            sourceRoleArn: d.inputs.kinesisSourceConfiguration?.roleArn,
            destination: s3Destination(ext),
            processor: lambda && {
                // The processor names a qualified ARN (`:$LATEST`); the function is the unqualified one.
                functionArn: String(param("LambdaArn")).replace(/:\$LATEST$|:\d+$/, ""),
                // Documented defaults: 1 MB (ours sets 3), 60 s, 3 retries.
                bufferSizeMiB: Number(param("BufferSizeInMBs") ?? 1),
                bufferIntervalSeconds: Number(param("BufferIntervalInSeconds") ?? 60),
                retries: Number(param("NumberOfRetries") ?? 3),
            },
            backup: ext.s3BackupMode === "Enabled" && ext.s3BackupConfiguration ? s3Destination(ext.s3BackupConfiguration) : undefined,
        };
    });

    const buckets: BucketPlan[] = of(TYPES.bucket).map((b) => {
        const policy = of(TYPES.bucketPolicy).find((p) => refersTo(p.inputs.bucket, b));
        const sse = of(TYPES.bucketEncryption).find((e) => refersTo(e.inputs.bucket, b));
        const rule = sse?.inputs.rules?.[0]?.applyServerSideEncryptionByDefault;
        const eventBridge = of(TYPES.bucketNotification).some((n) => refersTo(n.inputs.bucket, b) && n.inputs.eventbridge === true);
        return { name: String(b.state.bucket ?? b.state.name ?? b.state.id), arn: String(b.state.arn), policy: doc(policy?.inputs.policy), kmsKeyArn: rule?.kmsMasterKeyId, eventBridge };
    });

    const keys: KeyPlan[] = of(TYPES.key).map((k) => ({ arn: String(k.state.arn), policy: doc(k.inputs.policy) }));

    const rules: RulePlan[] = of(TYPES.eventRule).map((rule) => ({
        name: String(rule.state.name),
        arn: String(rule.state.arn),
        eventPattern: rule.inputs.eventPattern ? JSON.parse(rule.inputs.eventPattern) : undefined,
        scheduleExpression: rule.inputs.scheduleExpression,
        targets: of(TYPES.eventTarget).filter((t) => refersTo(t.inputs.rule, rule)).map((t) => ({
            arn: String(t.inputs.arn),
            // EventBridge defaults: 24 hours, 185 attempts.
            retry: {
                maximumEventAgeSeconds: Number(t.inputs.retryPolicy?.maximumEventAgeInSeconds ?? 86400),
                maximumRetryAttempts: Number(t.inputs.retryPolicy?.maximumRetryAttempts ?? 185),
            },
            deadLetterArn: t.inputs.deadLetterConfig?.arn,
        })),
    }));

    const queues: QueuePlan[] = of(TYPES.queue).map((q) => ({
        name: String(q.state.name),
        arn: String(q.state.arn),
        policy: doc(of(TYPES.queuePolicy).find((p) => refersTo(p.inputs.queueUrl, q))?.inputs.policy),
    }));

    const integrations = of(TYPES.integration);
    const authorizers = of(TYPES.authorizer);
    const routes: RoutePlan[] = of(TYPES.route).map((route) => {
        const integrationId = String(route.inputs.target ?? "").replace(/^integrations\//, "");
        const integration = integrations.find((i) => refersTo(integrationId, i));
        if (!integration) throw new Error(`route ${route.inputs.routeKey}: no integration ${integrationId} in the program`);
        const authorizer = authorizers.find((a) => refersTo(route.inputs.authorizerId, a));
        const api = of(TYPES.api).find((a) => refersTo(route.inputs.apiId, a));
        return {
            routeKey: String(route.inputs.routeKey),
            executionArn: String(api?.state.executionArn),
            functionArn: String(integration.inputs.integrationUri),
            payloadFormatVersion: String(integration.inputs.payloadFormatVersion ?? "1.0"),
            authorizer: route.inputs.authorizationType && route.inputs.authorizationType !== "NONE" ? {
                type: String(route.inputs.authorizationType),
                issuer: String(authorizer?.inputs.jwtConfiguration?.issuer),
                audiences: authorizer?.inputs.jwtConfiguration?.audiences ?? [],
                identitySources: authorizer?.inputs.identitySources ?? [],
            } : undefined,
            authorizationScopes: route.inputs.authorizationScopes,
        };
    });

    const topics: TopicPlan[] = of(TYPES.topic).map((topic) => ({
        name: String(topic.state.name),
        arn: String(topic.state.arn),
        displayName: topic.inputs.displayName,
        keyArn: topic.inputs.kmsMasterKeyId,
        policy: doc(of(TYPES.topicPolicy).find((p) => refersTo(p.inputs.arn, topic))?.inputs.policy),
        subscriptions: of(TYPES.subscription).filter((s) => refersTo(s.inputs.topic, topic)).map((s) => ({
            protocol: String(s.inputs.protocol),
            endpoint: String(s.inputs.endpoint),
            filterPolicy: s.inputs.filterPolicy ? JSON.parse(s.inputs.filterPolicy) : undefined,
            filterPolicyScope: String(s.inputs.filterPolicyScope ?? "MessageAttributes"),
        })),
    }));

    const alarms: AlarmPlan[] = of(TYPES.alarm).map((a) => ({
        name: String(a.state.name),
        arn: String(a.state.arn),
        description: a.inputs.alarmDescription,
        namespace: String(a.inputs.namespace),
        metricName: String(a.inputs.metricName),
        dimensions: { ...(a.inputs.dimensions ?? {}) },
        statistic: String(a.inputs.statistic),
        periodSeconds: Number(a.inputs.period),
        evaluationPeriods: Number(a.inputs.evaluationPeriods),
        threshold: Number(a.inputs.threshold),
        comparison: String(a.inputs.comparisonOperator),
        treatMissingData: String(a.inputs.treatMissingData ?? "missing"),
        alarmActions: a.inputs.alarmActions ?? [],
        okActions: a.inputs.okActions ?? [],
        insufficientDataActions: a.inputs.insufficientDataActions ?? [],
    }));

    const endpoints: EndpointPlan[] = of(TYPES.endpoint).map((e) => {
        const config = of(TYPES.endpointConfiguration).find((c) => refersTo(e.inputs.endpointConfigName, c));
        const serverless = (config?.inputs.productionVariants ?? []).some((v: any) => v.serverlessConfig);
        return { name: String(e.state.name), arn: String(e.state.arn), kind: serverless ? "serverless" : "instance" };
    });

    const anyArn = functions[0]?.arn ?? streams[0]?.arn ?? "arn:aws:::123456789012:";
    return {
        account: accountOf(anyArn), region, stack: run.stack,
        functions, roles, streams, deliveryStreams, buckets, keys, rules, queues, routes, topics, alarms, endpoints,
        deviceRoleArns: of(TYPES.roleAlias).map((a) => String(a.inputs.roleArn)),
        databases: of(TYPES.dbInstance).map((d) => ({ address: String(d.state.address), port: Number(d.state.port ?? d.inputs.port ?? 3306), resourceId: String(d.state.resourceId) })),
        outputs: run.outputs,
    };
}

/** The function an ARN (qualified or not) or name designates. */
export function functionFor(plan: LocalPlan, arnOrName: string): FunctionPlan {
    const unqualified = arnOrName.replace(/:\$LATEST$|:\d+$/, "");
    const fn = plan.functions.find((f) => f.arn === unqualified || f.name === unqualified);
    if (!fn) throw new Error(`no function ${arnOrName} in the plan`);
    return fn;
}
