import { expect } from "chai";
import { PlannedResource, ProgramRun } from "../../scripts/lib/mock-run";
import { childrenOf, loadSerializedHandler, ofType, one, policyDoc, program } from "../helpers/program";
import { recordSdkCalls } from "../helpers/aws-mock";
import { ROUTE_TABLES, openApiDocument } from "../../functions/api/openapi";
import { PASSWORD_MIN_LENGTH } from "../../infra/identity";
import { apiEvent, body, claims } from "../functions/api/fixtures";

const API = "mdetect:access:ClientApi::mdetect-api";
const IDENTITY = "mdetect:access:ClientIdentity::mdetect-clients";
const EXPECTED_ROUTES = [
    "GET /v1/findings", "GET /v1/findings/{id}", "GET /v1/findings/{id}/download", "GET /v1/projects", "GET /v1/sites",
    "GET /v1/detectors", "GET /v1/deployments", "POST /v1/uploads", "GET /v1/openapi.json",
    "GET /v1/registry/sites", "GET /v1/registry/detectors", "GET /v1/registry/deployments",
    "POST /v1/sites", "PATCH /v1/sites/{id}", "POST /v1/detectors", "PATCH /v1/detectors/{id}", "POST /v1/deployments", "PATCH /v1/deployments/{id}",
];
const FUNCTIONS = ROUTE_TABLES;
/** One run with every API setting changed (each program run takes tens of seconds). */
const OVERRIDES = {
    "mdetect:apiThrottleRatePerSecond": 7, "mdetect:apiThrottleBurst": 11,
    "mdetect:corsOrigins": ["https://portal.example.com"], "mdetect:presignExpirySeconds": 3600,
};

const apiChildren = (run: ProgramRun, type: string) => childrenOf(run, API).filter((r) => r.type === type);
const identityChild = (run: ProgramRun, type: string) => {
    const found = childrenOf(run, IDENTITY).filter((r) => r.type === type);
    expect(found, type).to.have.length(1);
    return found[0];
};
const fn = (run: ProgramRun, name: string) => one(run, "aws:lambda/function:Function", `mdetect-api-${name}`);
const statementsOf = (run: ProgramRun, name: string) =>
    policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", `mdetect-api-${name}-policy`).inputs.policy).Statement;
const lakeArn = (run: ProgramRun) => one(run, "aws:s3/bucket:Bucket", "mdetect-data-lake").state.arn as string;
const keyArn = (run: ProgramRun) => one(run, "aws:kms/key:Key").state.arn as string;
const actions = (s: any): string[] => [s.Action].flat();

describe("infra: client identity and API", () => {
    describe("user pool", () => {
        it("requires TOTP MFA, a strong password, and admin-created users only", async () => {
            const pool = identityChild(await program(), "aws:cognito/userPool:UserPool").inputs;
            expect(pool.mfaConfiguration).to.equal("ON");
            expect(pool.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
            expect(pool.smsConfiguration, "no SMS factor").to.equal(undefined);
            expect(pool.emailMfaConfiguration, "no e-mail factor").to.equal(undefined);
            expect(pool.adminCreateUserConfig.allowAdminCreateUserOnly).to.equal(true);
            expect(pool.passwordPolicy).to.deep.include({
                minimumLength: PASSWORD_MIN_LENGTH, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true,
            });
            expect(pool.passwordPolicy.minimumLength).to.be.at.least(14);
            expect(pool.userPoolTier, "TOTP, groups and custom attributes need no paid tier").to.equal("LITE");
            expect(pool.deletionProtection, "dev stacks can be torn down").to.equal("INACTIVE");
        });

        it("binds users to a client through an immutable custom:client_id the app client cannot write", async () => {
            const run = await program();
            const [attribute, ...others] = identityChild(run, "aws:cognito/userPool:UserPool").inputs.schemas;
            expect(others).to.deep.equal([]);
            expect(attribute).to.deep.include({ name: "client_id", attributeDataType: "String", mutable: false });
            const client = identityChild(run, "aws:cognito/userPoolClient:UserPoolClient").inputs;
            expect(client.readAttributes).to.include("custom:client_id");
            expect(client.writeAttributes).to.not.include("custom:client_id");
            expect(client.writeAttributes.filter((a: string) => a.startsWith("custom:"))).to.deep.equal([]);
        });

        it("has a staff group and a public CLI app client with SRP, short tokens and no user-existence errors", async () => {
            const run = await program();
            expect(identityChild(run, "aws:cognito/userGroup:UserGroup").inputs.name).to.equal("staff");
            const client = identityChild(run, "aws:cognito/userPoolClient:UserPoolClient").inputs;
            expect(client.generateSecret).to.equal(false);
            expect(client.explicitAuthFlows).to.include.members(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
            expect(client.explicitAuthFlows).to.not.include.members(["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"]);
            expect(client.preventUserExistenceErrors).to.equal("ENABLED");
            expect(client.enableTokenRevocation).to.equal(true);
            expect(client.tokenValidityUnits).to.deep.equal({ idToken: "minutes", accessToken: "minutes", refreshToken: "days" });
            expect(client.idTokenValidity).to.be.within(5, 60);
            expect(client.refreshTokenValidity).to.be.within(1, 30);
            expect(client.allowedOauthFlows ?? [], "no hosted-UI flows").to.deep.equal([]);
        });
    });

    describe("HTTP API", () => {
        it("is an HTTP API with a JWT authorizer trusting only the pool's issuer and app client", async () => {
            const run = await program();
            const [api] = apiChildren(run, "aws:apigatewayv2/api:Api");
            expect(api.inputs.protocolType).to.equal("HTTP");
            expect(api.inputs.corsConfiguration, "CORS off without origins").to.equal(undefined);
            const [authorizer, ...more] = apiChildren(run, "aws:apigatewayv2/authorizer:Authorizer");
            expect(more).to.deep.equal([]);
            const pool = identityChild(run, "aws:cognito/userPool:UserPool");
            const appClient = identityChild(run, "aws:cognito/userPoolClient:UserPoolClient");
            expect(authorizer.inputs).to.deep.include({ authorizerType: "JWT", apiId: api.state.id, identitySources: ["$request.header.Authorization"] });
            expect(authorizer.inputs.jwtConfiguration).to.deep.equal({
                issuer: `https://cognito-idp.ap-southeast-2.amazonaws.com/${pool.state.id}`,
                audiences: [appClient.state.id],
            });
        });

        it("declares every route under /v1, each behind the JWT authorizer and integrated with the function that serves it", async () => {
            const run = await program();
            const authorizer = apiChildren(run, "aws:apigatewayv2/authorizer:Authorizer")[0];
            const routes = apiChildren(run, "aws:apigatewayv2/route:Route");
            expect(routes.map((r) => r.inputs.routeKey)).to.have.members(EXPECTED_ROUTES);
            const integrations = apiChildren(run, "aws:apigatewayv2/integration:Integration");
            for (const route of routes) {
                expect(route.inputs.authorizationType, route.inputs.routeKey).to.equal("JWT");
                expect(route.inputs.authorizerId, route.inputs.routeKey).to.equal(authorizer.state.id).and.not.equal(route.inputs.apiId);
                const [owner] = Object.entries(FUNCTIONS).find(([, table]) => route.inputs.routeKey in table)!;
                const integration = integrations.find((i) => route.inputs.target === `integrations/${i.state.id}`)!;
                expect(integration.inputs, route.inputs.routeKey).to.deep.include({
                    integrationType: "AWS_PROXY", payloadFormatVersion: "2.0", integrationUri: fn(run, owner).state.arn,
                });
            }
        });

        it("lets API Gateway invoke each function only for its own routes of this API", async () => {
            const run = await program();
            const api = apiChildren(run, "aws:apigatewayv2/api:Api")[0];
            const permissions = apiChildren(run, "aws:lambda/permission:Permission");
            expect(permissions).to.have.length(EXPECTED_ROUTES.length);
            for (const [name, table] of Object.entries(FUNCTIONS)) {
                const arns = permissions.filter((p) => p.inputs.function === fn(run, name).state.name).map((p) => p.inputs.sourceArn);
                const expected = Object.keys(table).map((k) => {
                    const [method, path] = k.split(" ");
                    return `${api.state.executionArn}/*/${method}${path.replace(/\{[^}]+\}/g, "*")}`;
                });
                expect(arns, name).to.have.members(expected);
            }
            for (const p of permissions) expect(p.inputs.principal).to.equal("apigateway.amazonaws.com");
        });

        it("auto-deploys a $default stage with JSON access logs (retained) and default throttling from config", async () => {
            const run = await program(OVERRIDES);
            const [stage] = apiChildren(run, "aws:apigatewayv2/stage:Stage");
            expect(stage.inputs).to.deep.include({ name: "$default", autoDeploy: true });
            expect(stage.inputs.defaultRouteSettings).to.deep.include({ throttlingRateLimit: 7, throttlingBurstLimit: 11 });
            const logGroup = one(run, "aws:cloudwatch/logGroup:LogGroup", "mdetect-api-access");
            expect(stage.inputs.accessLogSettings.destinationArn).to.equal(logGroup.state.arn);
            expect(logGroup.inputs.retentionInDays).to.equal(run.config["mdetect:logRetentionDays"]);
            const format = JSON.parse(stage.inputs.accessLogSettings.format);
            expect(format).to.include({
                requestId: "$context.requestId", ip: "$context.identity.sourceIp", routeKey: "$context.routeKey",
                status: "$context.status", latency: "$context.responseLatency",
            });
        });

        it("turns CORS on for configured origins only", async () => {
            const run = await program(OVERRIDES);
            const cors = apiChildren(run, "aws:apigatewayv2/api:Api")[0].inputs.corsConfiguration;
            expect(cors.allowOrigins).to.deep.equal(["https://portal.example.com"]);
            expect(cors.allowHeaders).to.include("authorization");
        });
    });

    describe("handler roles", () => {
        it("download may read findings/ objects and write only their JSON conversions, nothing else in S3", async () => {
            const run = await program();
            const s3 = statementsOf(run, "download").filter((s: any) => actions(s).some((a) => a.startsWith("s3:")));
            expect(s3).to.deep.equal([
                { Sid: "ReadFindings", Effect: "Allow", Action: "s3:GetObject", Resource: `${lakeArn(run)}/findings/*` },
                { Sid: "WriteJsonFindings", Effect: "Allow", Action: "s3:PutObject", Resource: `${lakeArn(run)}/findings/*.json.gz` },
            ]);
            const kms = statementsOf(run, "download").filter((s: any) => actions(s).some((a) => a.startsWith("kms:")));
            // Through S3 for the data lake only: evaluated in client-api-calls.iam.test.ts and client-api.iam.test.ts.
            expect(kms.map((s: any) => [s.Sid, s.Action, s.Resource])).to.deep.equal([
                ["DecryptFindings", ["kms:Decrypt"], keyArn(run)],
                ["EncryptJsonFindings", "kms:GenerateDataKey", keyArn(run)],
            ]);
        });

        it("upload may only put objects under incoming/ and has no registry access", async () => {
            const run = await program();
            const statements = statementsOf(run, "upload");
            const s3 = statements.filter((s: any) => actions(s).some((a) => a.startsWith("s3:")));
            expect(s3).to.deep.equal([{ Sid: "WriteUploads", Effect: "Allow", Action: "s3:PutObject", Resource: `${lakeArn(run)}/incoming/*` }]);
            expect(statements.flatMap(actions)).to.not.include("rds-db:connect");
            expect(fn(run, "upload").inputs.vpcConfig, "no VPC: it talks to nothing").to.equal(undefined);
        });

        it("read and download may connect to the registry only as the read-only user, admin as the application user, from the VPC", async () => {
            const run = await program();
            for (const [name, user] of [["read", "mdetect_reader"], ["download", "mdetect_reader"], ["admin", "mdetect_app"]]) {
                const statements = statementsOf(run, name);
                const connect = statements.filter((s: any) => actions(s).includes("rds-db:connect"));
                expect(connect, name).to.have.length(1);
                expect(connect[0].Resource, name).to.match(new RegExp(`^arn:aws:rds-db:ap-southeast-2:\\d{12}:dbuser:.+/${user}$`));
                expect(fn(run, name).inputs.environment.variables.DB_USER, name).to.equal(user);
                expect(fn(run, name).inputs.vpcConfig?.subnetIds, name).to.be.an("array").that.is.not.empty;
                if (name !== "download") expect(statements.flatMap(actions).filter((a: string) => /^(s3|kms):/.test(a)), name).to.deep.equal([]);
            }
        });

        it("grants no wildcard action, and wildcard resources only for the EC2 calls VPC attachment needs", async () => {
            const run = await program();
            for (const name of Object.keys(FUNCTIONS)) {
                for (const s of statementsOf(run, name)) {
                    expect(actions(s).some((a) => a.endsWith("*") && !a.startsWith("ec2:")), `${name} ${s.Sid}`).to.equal(false);
                    if ([s.Resource].flat().includes("*")) expect(actions(s).every((a) => a.startsWith("ec2:")), `${name} ${s.Sid}`).to.equal(true);
                }
            }
        });

        it("gives the presigning functions the bucket and the configured expiry", async () => {
            const run = await program(OVERRIDES);
            for (const name of ["download", "upload"]) {
                expect(fn(run, name).inputs.environment.variables, name).to.include({
                    DATA_BUCKET: one(run, "aws:s3/bucket:Bucket", "mdetect-data-lake").state.bucket, PRESIGN_EXPIRY_SECONDS: "3600",
                });
            }
            expect(fn(run, "read").inputs.environment.variables.DATA_BUCKET, "read never presigns").to.equal(undefined);
        });

        it("refuses a presign expiry above an hour at configuration time", async () => {
            let failure: unknown;
            try {
                await program({ "mdetect:presignExpirySeconds": 3601 });
            } catch (error) {
                failure = error;
            }
            expect(String(failure)).to.include("presignExpirySeconds");
        });
    });

    describe("serialized handlers", () => {
        // What the deployed upload code signs, for its role's IAM table (client-api-calls.iam.test.ts).
        const upload = recordSdkCalls("api-upload");
        it("are self-contained: each registry function answers 401 without claims, with only its zip's packages", async () => {
            const run = await program();
            for (const [name, routeKey] of [["read", "GET /v1/findings"], ["download", "GET /v1/findings/{id}/download"], ["admin", "POST /v1/sites"]]) {
                const handler = await loadSerializedHandler(fn(run, name));
                const result = await handler(apiEvent(routeKey));
                expect(result.statusCode, name).to.equal(401);
                expect(result.headers["content-type"], name).to.equal("application/problem+json");
            }
        });

        it("contract serves the generated OpenAPI document from its package alone, with no registry or S3 access", async () => {
            const run = await program();
            const handler = await loadSerializedHandler(fn(run, "contract"));
            const result = await handler(apiEvent("GET /v1/openapi.json", { claims: claims() }));
            expect(result.statusCode).to.equal(200);
            expect(JSON.parse(result.body)).to.deep.equal(openApiDocument());
            expect(statementsOf(run, "contract").flatMap(actions).filter((a: string) => /^(s3|kms|rds-db):/.test(a))).to.deep.equal([]);
            expect(fn(run, "contract").inputs.vpcConfig, "no VPC: it talks to nothing").to.equal(undefined);
        });

        it("upload presigns from its environment alone", async () => {
            const handler = await loadSerializedHandler(fn(await program(), "upload"));
            const saved = { ...process.env };
            Object.assign(process.env, {
                DATA_BUCKET: "lake-bucket", PRESIGN_EXPIRY_SECONDS: "900", AWS_REGION: "ap-southeast-2",
                AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token",
            });
            try {
                const result = await upload.during(() => handler(apiEvent("POST /v1/uploads", { claims: claims({ groups: ["staff"] }), body: {
                    siteId: "0b6e3a52-4a3e-4c55-9d1c-3f0e1c2d3b4a", filename: "dump.json", contentType: "application/json",
                    checksumSha256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                } })));
                expect(result.statusCode).to.equal(200);
                const url = new URL(body(result).url);
                expect(url.hostname).to.equal("lake-bucket.s3.ap-southeast-2.amazonaws.com");
                expect(url.searchParams.get("X-Amz-Expires")).to.equal("900");
            } finally {
                process.env = saved;
            }
        });
    });

    it("exports what a client needs to sign in and call the API", async () => {
        const run = await program();
        const outputs = run.outputs as Record<string, unknown>;
        const api = apiChildren(run, "aws:apigatewayv2/api:Api")[0];
        expect(outputs.apiUrl).to.equal(api.state.apiEndpoint);
        expect(outputs.openApiUrl).to.equal(`${api.state.apiEndpoint}/v1/openapi.json`);
        expect(outputs.userPoolId).to.equal(identityChild(run, "aws:cognito/userPool:UserPool").state.id);
        expect(outputs.userPoolClientId).to.equal(identityChild(run, "aws:cognito/userPoolClient:UserPoolClient").state.id);
        expect(outputs.region).to.equal("ap-southeast-2");
    });

    it("parents every API and identity resource to its component", async () => {
        const run = await program();
        const types = ["aws:apigatewayv2/route:Route", "aws:apigatewayv2/integration:Integration", "aws:apigatewayv2/stage:Stage"];
        for (const type of types) {
            const all = ofType(run, type);
            expect(all.length, type).to.be.greaterThan(0);
            expect(all.every((r: PlannedResource) => r.parent === API), type).to.equal(true);
        }
    });
});
