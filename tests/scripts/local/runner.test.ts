import { expect } from "chai";
import { FunctionPlan } from "../../../scripts/lib/local/plan";
import { Principals } from "../../../scripts/lib/local/principals";
import { FunctionRunner } from "../../../scripts/lib/local/runner";

const HANDLER = `
exports.handler = async (event, context) => {
    if (event.op === "env") return { env: process.env, remaining: context.getRemainingTimeInMillis(), fn: context.functionName, cwd: process.cwd() };
    if (event.op === "sleep") { await new Promise((r) => setTimeout(r, event.ms)); return "woke"; }
    if (event.op === "crash") { setTimeout(() => process.exit(3), 5); await new Promise(() => {}); }
    if (event.op === "throw") { const e = new Error("bad input"); e.name = "InvalidEventError"; throw e; }
    if (event.op === "require") return require(event.name).name;
    if (event.op === "count") { globalThis.n = (globalThis.n || 0) + 1; return globalThis.n; }
    return event;
};`;

function fn(overrides: Partial<FunctionPlan> = {}): FunctionPlan {
    return {
        logicalName: "test-fn", name: "test-fn-abc", arn: "arn:aws:lambda:ap-southeast-2:123456789012:function:test-fn-abc", handler: "__index.handler",
        memoryMb: 128, timeoutSeconds: 1, environment: { DATA_BUCKET: "lake" }, role: { arn: "arn:aws:iam::123456789012:role/r", name: "r", policies: [] },
        inVpc: false, async package() { return { indexJs: HANDLER, packages: ["papaparse"] }; }, ...overrides,
    };
}

describe("local Lambda runner: the serialized package in its own environment", function () {
    const principal = new Principals().issue("test-fn", "arn:aws:iam::123456789012:role/r", []);
    const runners: FunctionRunner[] = [];
    const runner = (plan = fn()) => { const r = new FunctionRunner(plan, { region: "ap-southeast-2", endpoints: { S3: "http://127.0.0.1:1", SAGEMAKER_RUNTIME: "http://127.0.0.1:2" }, principal }); runners.push(r); return r; };
    after(async () => { await Promise.all(runners.map((r) => r.stop())); });

    it("gives the plan's environment, Lambda's variables, the function's own credentials and the local endpoints, nothing of ours", async () => {
        process.env.MDETECT_TEST_SECRET = "must-not-leak";
        const out = await runner().invoke<any>({ op: "env" });
        expect(out.ok).to.equal(true);
        const env = out.result.env;
        expect(env).to.include({
            DATA_BUCKET: "lake", AWS_REGION: "ap-southeast-2", AWS_LAMBDA_FUNCTION_NAME: "test-fn-abc", AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
            AWS_ACCESS_KEY_ID: principal.accessKeyId, AWS_SECRET_ACCESS_KEY: principal.secretAccessKey, AWS_SESSION_TOKEN: principal.sessionToken,
            AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1", AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: "http://127.0.0.1:2",
        });
        expect(env).to.not.have.property("MDETECT_TEST_SECRET");
        expect(out.result.fn).to.equal("test-fn-abc");
        expect(out.result.remaining).to.be.within(1, 1000);
        delete process.env.MDETECT_TEST_SECRET;
    });

    it("ships only the zip's packages: a package it does not list cannot be required", async () => {
        const r = runner();
        expect((await r.invoke<any>({ op: "require", name: "papaparse" })).ok).to.equal(true);
        const missing = await r.invoke<any>({ op: "require", name: "mysql2" });
        expect(missing.ok).to.equal(false);
        expect(missing.errorMessage).to.match(/Cannot find module 'mysql2'/);
    });

    it("reports a thrown error by its name and message, as Lambda does", async () => {
        const out = await runner().invoke({ op: "throw" });
        expect(out).to.include({ ok: false, errorType: "InvalidEventError", errorMessage: "bad input" });
    });

    it("enforces the timeout by stopping the environment; the next invocation starts a fresh one", async () => {
        const r = runner(fn({ timeoutSeconds: 1 }));
        expect((await r.invoke({ op: "count" })).result).to.equal(1);
        const slow = await r.invoke({ op: "sleep", ms: 3000 });
        expect(slow).to.include({ ok: false, errorType: "Sandbox.Timedout" });
        expect(slow.errorMessage).to.match(/Task timed out after 1\.00 seconds/);
        expect((await r.invoke({ op: "count" })).result, "cold start after the timeout").to.equal(1);
    });

    it("a crash mid-invocation is Runtime.ExitError, and the environment is replaced", async () => {
        const r = runner();
        expect((await r.invoke({ op: "count" })).result).to.equal(1);
        expect((await r.invoke({ op: "count" })).result, "warm environment reused").to.equal(2);
        const crash = await r.invoke({ op: "crash" });
        expect(crash).to.include({ ok: false, errorType: "Runtime.ExitError" });
        expect((await r.invoke({ op: "count" })).result).to.equal(1);
    });

    it("bills each invocation rounded up to the millisecond", async () => {
        const out = await runner().invoke({ op: "sleep", ms: 20 });
        expect(out.billedMs).to.be.at.least(20);
        expect(Number.isInteger(out.billedMs)).to.equal(true);
    });
});
