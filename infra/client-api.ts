/**
 * ClientApi: the HTTP API clients and staff call, behind a JWT authorizer that trusts only the
 * ClientIdentity user pool and its app client.
 *
 * - HTTP API, not REST API: about a third of the request price and a native JWT authorizer.
 * - Five functions, split by what their role may touch:
 *     read      GET findings, detectors, deployments    registry as the read-only user
 *     download  GET a finding's presigned URL           registry as the read-only user + GetObject under findings/,
 *                                                       PutObject of findings/*.json.gz (JSON converted on request)
 *     admin     staff create/update registry rows       registry as the application (writing) user
 *     upload    staff presigned PUT under incoming/     PutObject under incoming/, no VPC
 *     contract  GET /v1/openapi.json                    nothing (the document is in its package), no VPC
 *   The route keys come from the functions' own route tables, so API and code cannot drift; the
 *   OpenAPI document is generated from the same tables (functions/api/openapi.ts).
 * - `$default` stage, auto-deployed, JSON access logs with retention, default throttling.
 * - CORS only when origins are configured (the CLI and SDKs do not need it).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PREFIX } from "../functions/layout";
import { adminEntry, clientReadEntry, contractEntry, downloadEntry, ENV, uploadEntry } from "../functions/api/entry";
import { OPENAPI_ROUTE } from "../functions/api/contract-routes";
import { JSON_EXPORT_SUFFIX } from "../functions/api/findings-export";
import { ROUTE_TABLES, openApiDocument } from "../functions/api/openapi";
import { ApiConfig } from "./config";
import { PipelineFunction, PolicyStatement } from "./lambda";
import { dataKeyViaS3 } from "./encryption";
import { RegistryUsers } from "./registry";
import { unusedPackages } from "./governance/packages";

/** API handlers answer in well under a second; 10 s bounds a stuck registry connection (API Gateway waits 30 s). */
const HANDLER_TIMEOUT_SECONDS = 10;
/** Small JSON in and out: the minimum memory tier that keeps cold starts of the SDK tolerable. */
const HANDLER_MEMORY_MB = 256;
const DB_PACKAGES = ["mysql2", "@aws-sdk/rds-signer"];
const PRESIGN_PACKAGES = ["@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner"];

/** Fields of the stage's JSON access log (API Gateway $context variables). */
export const ACCESS_LOG_FORMAT = {
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    routeKey: "$context.routeKey",
    status: "$context.status",
    latency: "$context.responseLatency",
    integrationLatency: "$context.integrationLatency",
    responseLength: "$context.responseLength",
    // Who called (the token's subject), never the token itself.
    sub: "$context.authorizer.claims.sub",
    authorizerError: "$context.authorizer.error",
};

export interface ClientApiArgs {
    /** The user pool's token issuer and the app client id the tokens are for. */
    readonly issuer: pulumi.Input<string>;
    readonly audience: pulumi.Input<string>;
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    readonly registry: RegistryUsers;
    readonly api: ApiConfig;
    readonly logRetentionDays: number;
}

interface Handler {
    readonly name: string;
    readonly description: string;
    readonly entry: () => (event: any) => Promise<unknown>;
    readonly routes: readonly string[];
    readonly statements: PolicyStatement[];
    /** Talks to the registry (runs in the VPC) as this database user; false: never. */
    readonly registry: keyof RegistryUsers | false;
    /** Signs S3 URLs: gets the bucket and expiry. */
    readonly presigns: boolean;
}

export class ClientApi extends pulumi.ComponentResource {
    public readonly api: aws.apigatewayv2.Api;
    public readonly stage: aws.apigatewayv2.Stage;
    public readonly authorizer: aws.apigatewayv2.Authorizer;
    public readonly functions: Record<string, PipelineFunction>;
    /** Base URL clients call: https://<id>.execute-api.<region>.amazonaws.com (routes start with /v1). */
    public readonly url: pulumi.Output<string>;
    /** Where the OpenAPI document is served (with an ID token, like every route). */
    public readonly openApiUrl: pulumi.Output<string>;

    constructor(name: string, args: ClientApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:access:ClientApi", name, {}, opts);
        const objects = (prefix: string) => pulumi.interpolate`${args.bucketArn}/${prefix}*`;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const cors = args.api.corsOrigins.length > 0 ? {
            allowOrigins: [...args.api.corsOrigins],
            allowMethods: ["GET", "POST", "PATCH"],
            allowHeaders: ["authorization", "content-type"],
            maxAge: 3600,
        } : undefined;

        this.api = new aws.apigatewayv2.Api(name, {
            protocolType: "HTTP",
            description: "mDetect client API: findings, detectors, deployments, uploads",
            corsConfiguration: cors,
        }, { parent: this });

        this.authorizer = new aws.apigatewayv2.Authorizer(`${name}-jwt`, {
            apiId: this.api.id,
            authorizerType: "JWT",
            identitySources: ["$request.header.Authorization"],
            jwtConfiguration: { issuer: args.issuer, audiences: [args.audience] },
        }, { parent: this });

        const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access`, { retentionInDays: args.logRetentionDays }, { parent: this });
        this.stage = new aws.apigatewayv2.Stage(name, {
            apiId: this.api.id,
            name: "$default",
            autoDeploy: true,
            accessLogSettings: { destinationArn: accessLogs.arn, format: JSON.stringify(ACCESS_LOG_FORMAT) },
            defaultRouteSettings: {
                throttlingRateLimit: args.api.throttleRatePerSecond,
                throttlingBurstLimit: args.api.throttleBurst,
            },
        }, { parent: this });

        const { read, download, admin, upload, contract } = ROUTE_TABLES;
        const document = JSON.stringify(openApiDocument());
        const handlers: Handler[] = [
            {
                name: "read", description: "Client API: a client's findings, detectors and deployments",
                entry: clientReadEntry, routes: Object.keys(read), statements: [], registry: "reader", presigns: false,
            },
            {
                name: "download", description: "Client API: presigned download of one of the client's findings",
                entry: downloadEntry, routes: Object.keys(download),
                statements: [
                    { Sid: "ReadFindings", Effect: "Allow", Action: "s3:GetObject", Resource: objects(PREFIX.findings) },
                    // JSON conversions only: the CSV inference writes stays out of this role's reach.
                    { Sid: "WriteJsonFindings", Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${args.bucketArn}/${PREFIX.findings}*${JSON_EXPORT_SUFFIX}` },
                    // The URL is signed with this role: S3 decrypts with the caller's rights to the key.
                    dataKeyViaS3("DecryptFindings", ["kms:Decrypt"], args.keyArn, args.bucketArn, region),
                    {
                        Sid: "EncryptJsonFindings", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: args.keyArn,
                        // Only for S3 writes of JSON conversions (the bucket's Bucket Key, or the object itself without one).
                        Condition: {
                            StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` },
                            StringLike: { "kms:EncryptionContext:aws:s3:arn": [args.bucketArn, pulumi.interpolate`${args.bucketArn}/${PREFIX.findings}*${JSON_EXPORT_SUFFIX}`] },
                        },
                    },
                ],
                registry: "reader", presigns: true,
            },
            {
                name: "admin", description: "Client API: staff maintain sites, detectors and deployments",
                entry: adminEntry, routes: Object.keys(admin), statements: [], registry: "writer", presigns: false,
            },
            {
                name: "upload", description: "Client API: staff presigned uploads under incoming/",
                entry: uploadEntry, routes: Object.keys(upload),
                statements: [
                    { Sid: "WriteUploads", Effect: "Allow", Action: "s3:PutObject", Resource: objects(PREFIX.incoming) },
                    // A presigned PUT is one request: S3 needs a data key, never a decrypt.
                    dataKeyViaS3("EncryptUploads", ["kms:GenerateDataKey"], args.keyArn, args.bucketArn, region),
                ],
                registry: false, presigns: true,
            },
            {
                name: "contract", description: "Client API: the OpenAPI document",
                entry: () => contractEntry(document), routes: Object.keys(contract), statements: [], registry: false, presigns: false,
            },
        ];

        this.functions = {};
        for (const handler of handlers) {
            const fn = this.handler(name, handler, args);
            this.functions[handler.name] = fn;
            const integration = new aws.apigatewayv2.Integration(`${name}-${handler.name}`, {
                apiId: this.api.id,
                integrationType: "AWS_PROXY",
                integrationUri: fn.function.arn,
                integrationMethod: "POST",
                payloadFormatVersion: "2.0",
            }, { parent: this });
            for (const routeKey of handler.routes) {
                const [method, path] = routeKey.split(" ");
                const slug = `${method}${path.replace(/[{}]/g, "").replace(/\//g, "-")}`.toLowerCase();
                new aws.apigatewayv2.Route(`${name}-${slug}`, {
                    apiId: this.api.id,
                    routeKey,
                    target: pulumi.interpolate`integrations/${integration.id}`,
                    authorizationType: "JWT",
                    authorizerId: this.authorizer.id,
                }, { parent: this });
                // Only this route of this API may invoke the function; path parameters match any value.
                new aws.lambda.Permission(`${name}-${slug}`, {
                    action: "lambda:InvokeFunction",
                    function: fn.function.name,
                    principal: "apigateway.amazonaws.com",
                    sourceArn: pulumi.interpolate`${this.api.executionArn}/*/${method}${path.replace(/\{[^}]+\}/g, "*")}`,
                }, { parent: this });
            }
        }

        this.url = this.api.apiEndpoint;
        this.openApiUrl = pulumi.interpolate`${this.url}${OPENAPI_ROUTE.split(" ")[1]}`;
        this.registerOutputs({ url: this.url, apiId: this.api.id, openApiUrl: this.openApiUrl });
    }

    private handler(name: string, handler: Handler, args: ClientApiArgs): PipelineFunction {
        const entry = handler.entry();
        const registry = handler.registry ? args.registry[handler.registry] : undefined;
        return new PipelineFunction(`${name}-${handler.name}`, {
            description: handler.description,
            callback: entry,
            statements: [...(registry?.connectStatements ?? []), ...handler.statements],
            memorySizeMb: HANDLER_MEMORY_MB,
            timeoutSeconds: HANDLER_TIMEOUT_SECONDS,
            logRetentionDays: args.logRetentionDays,
            environment: {
                ...registry?.environment,
                ...(handler.presigns ? { [ENV.bucket]: args.bucketName, [ENV.expiry]: String(args.api.presignExpirySeconds) } : {}),
            },
            vpc: registry?.vpc,
            excludePackages: unusedPackages([...(registry ? DB_PACKAGES : []), ...(handler.presigns ? PRESIGN_PACKAGES : [])]),
        }, { parent: this });
    }
}
