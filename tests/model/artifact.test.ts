import { expect } from "chai";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { InvokeEndpointCommand } from "@aws-sdk/client-sagemaker-runtime";
import fc from "fast-check";
import { FEATURE_COUNT, PAYLOAD_LIMIT_BYTES } from "../../functions/inference/contract";
import { endpointScorer } from "../../functions/inference/endpoint";
import { CHECK_ROWS, checkArtifact, packageModel, scratchDir } from "../../scripts/commands/model";
import { LocalEndpoint } from "../../scripts/lib/local-endpoint";
import { MODEL_DIR, requireModelPython } from "../../scripts/lib/local-endpoint-python";
import { rejection } from "../functions/inference/fixtures";
import { skipWithoutPython, trainedArtifact } from "./trained";

const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const entries = (tarball: string) => spawnSync("tar", ["tzf", tarball], { encoding: "utf8" }).stdout.trim().split("\n");

/** A raw HTTP call to the container routes, below the SDK. */
function request(url: string, method: string, headers: Record<string, string> = {}, body = ""): Promise<{ status: number; type: string; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers }, (res) => {
            const parts: Buffer[] = [];
            res.on("data", (b: Buffer) => parts.push(b));
            res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"]), body: Buffer.concat(parts).toString("utf8") }));
        });
        req.on("error", reject);
        req.end(body);
    });
}

describe("model artifact: mdetect model package / check and the local endpoint", function () {
    let model: { dir: string; joblib: string; artifact: string };
    before(async function () {
        skipWithoutPython(this);
        model = await trainedArtifact();
    });

    describe("package", () => {
        it("writes model.joblib at the root and code/inference.py (model/inference.py) in the image's layout, reproducibly", async () => {
            expect(entries(model.artifact)).to.deep.equal(["model.joblib", "code/", "code/inference.py"]);
            const out = scratchDir();
            spawnSync("tar", ["xzf", model.artifact, "-C", out]);
            expect(sha(path.join(out, "code", "inference.py"))).to.equal(sha(path.join(MODEL_DIR, "inference.py")));
            expect(sha(path.join(out, "model.joblib"))).to.equal(sha(model.joblib));
            const again = path.join(out, "again.tar.gz");
            await packageModel(model.joblib, again);
            expect(sha(again), "same model, same bytes: the content-addressed S3 key stays put").to.equal(sha(model.artifact));
        });

        describe("refuses estimators the image cannot serve, one line each, writing nothing", () => {
            let dir: string;
            before(() => {
                dir = scratchDir();
                const made = spawnSync(requireModelPython(), [path.join(__dirname, "estimators.py"), dir], { encoding: "utf8" });
                expect(made.status, made.stderr).to.equal(0);
            });
            const cases: [string, RegExp][] = [
                ["sklearn-1.3", /pickled with scikit-learn 1\.3\.2; the serving image \(sagemaker-scikit-learn:1\.2-1\) runs 1\.2\.x/],
                ["no-proba", /IsolationForest has no predict_proba/],
                ["seven-features", /fitted on 7 features; the model contract sends 8/],
                ["three-classes", /classes \[0, 1, 2\]; predict_fn needs two/],
                ["not-an-estimator", /holds a dict, not a scikit-learn estimator/],
            ];
            for (const [name, message] of cases) {
                it(name, async () => {
                    const out = path.join(dir, `${name}.tar.gz`);
                    const error = await rejection(packageModel(path.join(dir, `${name}.joblib`), out));
                    expect(error.message).to.match(message);
                    expect(error.message).not.to.include("\n");
                    expect(fs.existsSync(out)).to.equal(false);
                });
            }
            it("accepts the same estimator pickled by scikit-learn 1.2 (the boundary)", async () => {
                const s = await packageModel(path.join(dir, "sklearn-1.2.joblib"), path.join(dir, "ok.tar.gz"));
                expect(s.estimator).to.equal("LogisticRegression");
            });
        });
    });

    it("check: loads the artifact with its own inference.py and scores the sample rows in [0, 1], the burst highest", async () => {
        const scores = await checkArtifact(model.artifact);
        expect(scores).to.have.length(CHECK_ROWS.length);
        for (const s of scores) expect(s).to.be.within(0, 1);
        expect(scores[1]).to.be.greaterThan(0.5);
        expect(scores[0]).to.be.lessThan(0.5);
    });

    describe("local endpoint: the container contract and the runtime API", () => {
        let endpoint: LocalEndpoint;
        before(async () => { endpoint = await LocalEndpoint.start({ artifact: model.artifact, limitBytes: PAYLOAD_LIMIT_BYTES.serverless }); });
        after(() => endpoint?.stop());
        const scorer = () => endpointScorer({ client: endpoint.client(), endpointName: endpoint.endpointName, retry: NO_RETRY });

        it("answers GET /ping with 200 and an empty body", async () => {
            expect(await request(`${endpoint.url}/ping`, "GET")).to.include({ status: 200, body: "" });
        });

        it("POST /invocations: one CSV row is one 2-D row, one score back as text/csv", async () => {
            const res = await request(`${endpoint.url}/invocations`, "POST", { "Content-Type": "text/csv", Accept: "text/csv" }, `${CHECK_ROWS[0]}\n`);
            expect(res.status).to.equal(200);
            expect(res.type).to.equal("text/csv");
            expect(res.body.trim().split("\n")).to.have.length(1);
            expect(Number(res.body)).to.be.within(0, 1);
        });

        for (const [what, headers, body, status] of [
            ["a content type other than text/csv", { "Content-Type": "application/json", Accept: "text/csv" }, "[[1,2,3,4,5,6,7,8]]", 415],
            ["a line of 7 numbers", { "Content-Type": "text/csv" }, "1,2,3,4,5,6,7\n", 400],
            ["a non-number", { "Content-Type": "text/csv" }, "1,2,x,4,5,6,7,8\n", 400],
            ["nan", { "Content-Type": "text/csv" }, "1,2,nan,4,5,6,7,8\n", 400],
            ["an empty body", { "Content-Type": "text/csv" }, "", 400],
            ["an Accept it cannot write", { "Content-Type": "text/csv", Accept: "application/x-npy" }, `${CHECK_ROWS[0]}\n`, 406],
        ] as const) {
            it(`POST /invocations with ${what} answers ${status}`, async () => {
                const res = await request(`${endpoint.url}/invocations`, "POST", headers, body);
                expect(res.status).to.equal(status);
                expect(JSON.parse(res.body).error).to.be.a("string");
            });
        }

        it("InvokeEndpoint through the SDK: one row and a 4 MB body, every score in [0, 1]", async () => {
            expect((await scorer()(`${CHECK_ROWS[0]}\n`, 1))[0]).to.be.within(0, 1);
            const line = `${CHECK_ROWS[0]}\n`;
            const rows = Math.floor(PAYLOAD_LIMIT_BYTES.serverless / line.length);
            const body = line.repeat(rows);
            expect(body.length).to.be.above(PAYLOAD_LIMIT_BYTES.serverless - line.length).and.at.most(PAYLOAD_LIMIT_BYTES.serverless);
            const scores = await scorer()(body, rows);
            expect(scores).to.have.length(rows);
            expect(scores.every((s) => s >= 0 && s <= 1)).to.equal(true);
        });

        it("any body of 1-200 rows of numbers as the converter writes them (String(n)) gets one score per row, in order, in [0, 1]", async () => {
            const value = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map(String);
            const rowArb = fc.array(value, { minLength: FEATURE_COUNT, maxLength: FEATURE_COUNT }).map((v) => v.join(","));
            await fc.assert(fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 200 }), async (rows) => {
                const scores = await scorer()(rows.map((r) => `${r}\n`).join(""), rows.length);
                expect(scores).to.have.length(rows.length);
                expect(scores.every((x) => x >= 0 && x <= 1)).to.equal(true);
                // Row order is kept: the last row alone scores what it scored among the others.
                expect((await scorer()(`${rows[rows.length - 1]}\n`, 1))[0]).to.equal(scores[scores.length - 1]);
            }), { numRuns: 25 });
        });

        it("a malformed body: the container's 400 arrives as ModelError 424 with OriginalStatusCode 400, not retried", async () => {
            const error = await rejection(scorer()("1,2,3\n", 1)) as Error & { OriginalStatusCode?: number; OriginalMessage?: string; $metadata?: { httpStatusCode?: number } };
            expect(error.name).to.equal("ModelError");
            expect(error.$metadata?.httpStatusCode).to.equal(424);
            expect(error.OriginalStatusCode).to.equal(400);
            expect(error.OriginalMessage).to.match(new RegExp(`expected ${FEATURE_COUNT} numbers per line, got 3`));
        });

        it("refuses a body over the limit (413) and an unknown endpoint (ValidationError), as the service does", async () => {
            const over = await rejection(scorer()("1,2,3,4,5,6,7,8\n".repeat(PAYLOAD_LIMIT_BYTES.serverless / 16 + 1), 1)) as Error & { $metadata?: { httpStatusCode?: number } };
            expect(over.$metadata?.httpStatusCode).to.equal(413);
            const unknown = await rejection(endpoint.client().send(new InvokeEndpointCommand({ EndpointName: "nope", ContentType: "text/csv", Body: Buffer.from(`${CHECK_ROWS[0]}\n`) })));
            expect(unknown.name).to.equal("ValidationError");
        });
    });

    it("a model error in the artifact's own code answers 5xx (ModelError, OriginalStatusCode 500)", async () => {
        const dir = scratchDir();
        spawnSync("tar", ["xzf", model.artifact, "-C", dir]);
        fs.appendFileSync(path.join(dir, "code", "inference.py"), "\n\ndef predict_fn(input_data, model):\n    raise RuntimeError('model exploded')\n");
        const broken = await LocalEndpoint.start({ artifact: dir, limitBytes: PAYLOAD_LIMIT_BYTES.serverless });
        try {
            const error = await rejection(endpointScorer({ client: broken.client(), endpointName: broken.endpointName, retry: NO_RETRY })(`${CHECK_ROWS[0]}\n`, 1)) as Error & { OriginalStatusCode?: number };
            expect(error.name).to.equal("ModelError");
            expect(error.OriginalStatusCode).to.equal(500);
        } finally {
            await broken.stop();
        }
    });

    it("fails to start with the server's reason when the artifact has no code/inference.py", async () => {
        const dir = scratchDir();
        fs.copyFileSync(model.joblib, path.join(dir, "model.joblib"));
        const error = await rejection(LocalEndpoint.start({ artifact: dir, limitBytes: PAYLOAD_LIMIT_BYTES.serverless }));
        expect(error.message).to.match(/has no code\/inference\.py/);
    });
});
