/**
 * Issue 12, defect 8: every error class the API answers with a 4xx or a 503 keeps its status
 * in the code Lambda runs, i.e. the CallbackFunction's serialized `__index.js`, loaded in a bare
 * directory (tests/helpers/program.ts). Closure serialization rewrites classes, so `instanceof`
 * on a project error class is false there and the error would become a 500.
 *
 * The only stand-in is at the driver boundary: mysql2's `createPool` (the very module object the
 * package requires) returns a pool to the test's MariaDB instead of an IAM-authenticated TLS pool
 * to RDS. Routing, validation, the registry's SQL and its error translation all run as deployed.
 */
import { expect } from "chai";
import mysql = require("mysql2/promise");
import { PROBLEMS } from "../../../functions/api/http";
import * as reg from "../../../functions/registry";
import { encodeCursor } from "../../../functions/api/cursor";
import { urlOptions } from "../../../functions/registry/connect";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { loadSerializedHandler, one, program } from "../../helpers/program";
import { ApiWorld, apiEvent, body, buildApiWorld, claims } from "./fixtures";
import { recording } from "./contract";
import { SdkRecording, recordSdkCalls } from "../../helpers/aws-mock";

type Handler = (event: any) => Promise<any>;
const ABSENT = "00000000-0000-4000-8000-000000000000";
/** A TCP port nothing listens on: the registry is "down". */
const CLOSED_PORT = 1;

describe("functions/api: error statuses through the serialized Lambda packages (issue 12 defect 8)", function () {
    let db: TestDatabase;
    let world: ApiWorld;
    const handlers: Record<string, Handler> = {};
    const realCreatePool = mysql.createPool;
    const savedEnv = { ...process.env };
    const consoleError = console.error;
    let target: () => string;
    const pools: mysql.Pool[] = [];
    // Filled after the after() hook below is registered: mocha runs after hooks in order and skips the
    // rest once one fails, so the recorders' check must come after the restore of createPool and env.
    const sdk: Record<string, SdkRecording> = {};

    before(async function () {
        // The router logs every 5xx to the console (the Lambda's log); not needed here.
        console.error = () => undefined;
        db = await withTestDatabase();
        world = await buildApiWorld(db.pool);
        target = () => db.url;
        // The package's own pool options (UTC, pool size), pointed at MariaDB without RDS's TLS and IAM token.
        (mysql as any).createPool = ({ ssl, authPlugins, ...options }: mysql.PoolOptions) => {
            const pool = realCreatePool({ ...options, ...urlOptions(target()) });
            pools.push(pool);
            return pool;
        };
        const run = await program();
        for (const name of ["read", "download", "admin", "upload"]) {
            const handler = await loadSerializedHandler(one(run, "aws:lambda/function:Function", `mdetect-api-${name}`));
            handlers[name] = recording(sdk[name] ? (event) => sdk[name].during(() => handler(event)) : handler);
        }
        // The function's environment, set only now: the program run must not see fake credentials.
        Object.assign(process.env, {
            DB_HOST: "registry.internal", DB_PORT: "3306", DB_NAME: "mdetect", DB_USER: "mdetect_app", AWS_REGION: "ap-southeast-2",
            DATA_BUCKET: "lake-bucket", PRESIGN_EXPIRY_SECONDS: "900",
            AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token",
        });
    });
    after(async () => {
        (mysql as any).createPool = realCreatePool;
        process.env = savedEnv;
        console.error = consoleError;
        await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
        await db?.drop();
    });

    // What each deployed handler calls (or signs), for its role's IAM table (tests/infra/client-api-calls.iam.test.ts).
    Object.assign(sdk, { read: recordSdkCalls("api-read"), download: recordSdkCalls("api-download"), admin: recordSdkCalls("api-admin") });

    const staff = () => claims({ groups: ["staff"] });
    const asA = () => claims({ clientId: world.clientA.id });
    const expectProblem = (result: any, status: number, code?: string) => {
        expect(result.statusCode, result.body).to.equal(status);
        expect(result.headers["content-type"]).to.equal("application/problem+json");
        const problem = body(result);
        expect(problem.status).to.equal(status);
        expect(problem.type).to.equal(Object.values(PROBLEMS).find((p) => p.status === status)!.type);
        if (code !== undefined) expect(problem.code).to.equal(code);
        return problem;
    };

    it("HttpProblem: 400 (validation), 401, 403 and 404 keep their status", async () => {
        expectProblem(await handlers.admin(apiEvent("POST /v1/sites", { claims: staff(), body: { name: 42 } })), 400);
        expectProblem(await handlers.read(apiEvent("GET /v1/findings")), 401);
        expectProblem(await handlers.admin(apiEvent("POST /v1/sites", { claims: asA(), body: {} })), 403);
        expectProblem(await handlers.read(apiEvent("GET /v1/findings", { claims: claims() })), 403);
        expectProblem(await handlers.download(apiEvent("GET /v1/findings/{id}/download", { claims: asA(), pathParameters: { id: ABSENT } })), 404);
        expectProblem(await handlers.upload(apiEvent("POST /v1/uploads", { claims: staff(), body: { siteId: "x" } })), 400);
    });

    it("RegistryError invalid_argument: a forged cursor with a valid envelope is a 400, not a 500", async () => {
        const cursor = encodeCursor("not-a-registry-position", world.clientA.id, { projectId: undefined, detectorId: undefined, from: undefined, to: undefined });
        expectProblem(await handlers.read(apiEvent("GET /v1/findings", { claims: asA(), query: { cursor } })), 400, "invalid_argument");
    });

    it("RegistryError constraint_violation and unknown_reference are 400s", async () => {
        const site = { name: "Too far north", kind: "mine", latitude: 91, longitude: 0 };
        expectProblem(await handlers.admin(apiEvent("POST /v1/sites", { claims: staff(), body: site })), 400, "constraint_violation");
        const deployment = { detectorId: ABSENT, siteId: world.mine.id, projectId: world.projectA.id, startsAt: "2027-01-01T00:00:00Z" };
        expectProblem(await handlers.admin(apiEvent("POST /v1/deployments", { claims: staff(), body: deployment })), 400, "unknown_reference");
    });

    it("RegistryError not_found is a 404", async () => {
        expectProblem(await handlers.admin(apiEvent("PATCH /v1/sites/{id}", { claims: staff(), pathParameters: { id: ABSENT }, body: { depthM: 5 } })), 404, "not_found");
    });

    it("RegistryError duplicate, duplicate_serial and overlapping_deployment are 409s", async () => {
        const site = { name: world.mine.name, kind: "mine", latitude: 0, longitude: 0 };
        expectProblem(await handlers.admin(apiEvent("POST /v1/sites", { claims: staff(), body: site })), 409, "duplicate");
        const detector = { serial: world.d1.serial, model: "MuScope 2", firmware: "2.4.1" };
        expectProblem(await handlers.admin(apiEvent("POST /v1/detectors", { claims: staff(), body: detector })), 409, "duplicate_serial");
        const overlap = { detectorId: world.d1.id, siteId: world.tunnel.id, projectId: world.projectA.id, startsAt: "2026-02-01T00:00:00Z" };
        expectProblem(await handlers.admin(apiEvent("POST /v1/deployments", { claims: staff(), body: overlap })), 409, "overlapping_deployment");
    });

    it("PresignRefused: a registry row pointing outside the client's prefix is a 404, never a signed URL", async () => {
        const { id } = await reg.recordFinding(db.pool, {
            clientId: world.clientA.id, projectId: world.projectA.id, detector: { id: world.d1.id },
            s3Key: `findings/${world.clientB.id}/${world.projectB.id}/x.csv`, periodStart: new Date("2026-01-20T00:00:00Z"),
            periodEnd: new Date("2026-01-20T01:00:00Z"), severity: "info", summary: "misfiled", score: 0.1,
        });
        expectProblem(await handlers.download(apiEvent("GET /v1/findings/{id}/download", { claims: asA(), pathParameters: { id } })), 404);
    });

    it("a client's own finding: 200 with a presigned GET for exactly its key (the happy path the statuses above depart from)", async () => {
        const finding = world.findingsA[0];
        const result = await handlers.download(apiEvent("GET /v1/findings/{id}/download", { claims: asA(), pathParameters: { id: finding.id } }));
        expect(result.statusCode, result.body).to.equal(200);
        const url = new URL(body(result).url);
        expect(decodeURIComponent(url.pathname.slice(1))).to.equal(finding.s3Key);
        expect(url.hostname).to.equal("lake-bucket.s3.ap-southeast-2.amazonaws.com");
    });

    it("RegistryUnavailableError: an unreachable registry is a 503 with retry-after; a fault of ours is a 500", async () => {
        try {
            target = () => `mysql://root@127.0.0.1:${CLOSED_PORT}/none`;
            // A fresh package: the pool is built once per container, on its first request.
            const cold = await loadSerializedHandler(one(await program(), "aws:lambda/function:Function", "mdetect-api-admin"));
            const busy = await cold(apiEvent("PATCH /v1/sites/{id}", { claims: staff(), pathParameters: { id: ABSENT }, body: { depthM: 5 } }));
            expectProblem(busy, 503);
            expect(busy.headers["retry-after"]).to.match(/^[1-9][0-9]*$/);
            delete process.env.DB_HOST;
            const unconfigured = await loadSerializedHandler(one(await program(), "aws:lambda/function:Function", "mdetect-api-read"));
            const failure = expectProblem(await unconfigured(apiEvent("GET /v1/detectors", { claims: asA() })), 500);
            expect(failure.detail).to.not.include("DB_HOST");
        } finally {
            target = () => db.url;
            process.env.DB_HOST = "registry.internal";
        }
    });
});
