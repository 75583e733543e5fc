import { expect } from "chai";
import fc from "fast-check";
import { PAYLOAD_LIMIT_BYTES } from "../../../functions/inference/contract";
import { inferenceError } from "../../../functions/inference/errors";
import { endpointScorer, isRetryableInvokeError, parseScores } from "../../../functions/inference/endpoint";
import { RetryPolicy, backoffDelay, withRetry } from "../../../functions/inference/retry";
import { InvokeEndpointCommand, InvokeEndpointCommandInput, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockedDuring } from "../../helpers/aws-mock";
import { SageMakerServer } from "../../../scripts/lib/stand-in-endpoint";
import { expectedScore, rejection, row } from "./fixtures";

const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

describe("inference: InvokeEndpoint with retries", () => {
    let server: SageMakerServer;
    const delays: number[] = [];
    before(async () => { server = await new SageMakerServer({ limitBytes: PAYLOAD_LIMIT_BYTES.serverless }).start(); });
    after(() => server.stop());
    beforeEach(() => { server.reset(); delays.length = 0; });

    const scorer = () => endpointScorer({
        client: server.client(),
        endpointName: server.endpointName,
        retry: POLICY,
        // Backoff is recorded, not slept: the delays themselves are asserted.
        hooks: { sleep: async (ms) => { delays.push(ms); }, random: () => 1 },
    });
    const rows = [row("MD-0001", new Date("2025-01-01T00:00:00Z"), 1), row("MD-0001", new Date("2025-01-01T00:00:01Z"), 2, true)];
    const body = rows.map((r) => `${r.features}\n`).join("");

    for (const status of [429, 500, 503] as const) {
        it(`retries after ${status} and returns the scores of the retry`, async () => {
            server.failNext(status, status);
            const scores = await scorer()(body, rows.length);
            expect(scores).to.deep.equal(rows.map(expectedScore));
            expect(server.invocations.map((i) => i.status)).to.deep.equal([status, status, 200]);
            expect(delays).to.deep.equal([100, 200]);
        });
    }

    it("gives up after the bounded number of attempts on a persistent 5xx", async () => {
        server.failAlways(500);
        const error = await rejection(scorer()(body, rows.length));
        expect(error.name).to.equal("InternalFailure");
        expect(server.invocations).to.have.length(POLICY.maxAttempts);
        expect(delays).to.deep.equal([100, 200, 250]);
    });

    it("does not retry a client error", async () => {
        server.failNext(400);
        const error = await rejection(scorer()(body, rows.length));
        expect(error.name).to.equal("ValidationError");
        expect(server.invocations).to.have.length(1);
    });

    it("does not retry a model error (a row breaking the contract)", async () => {
        const error = await rejection(scorer()("feature,names,are,not,numbers,at,all,here\n", 1));
        expect(error.name).to.equal("ModelError");
        expect(server.invocations).to.have.length(1);
    });

    it("fails, unretried, when the endpoint answers fewer scores than rows", async () => {
        const error = await rejection(scorer()(body, rows.length + 1));
        expect(error.name).to.equal("ModelContractError");
        expect(server.invocations).to.have.length(1);
    });

    it("classifies throttling, 5xx and dropped sockets as retryable, the rest not", () => {
        const withStatus = (httpStatusCode: number, name = "X") => Object.assign(new Error(), { name, $metadata: { httpStatusCode } });
        expect([429, 500, 502, 503, 530].map((s) => isRetryableInvokeError(withStatus(s)))).to.deep.equal([true, true, true, true, true]);
        expect([400, 403, 404, 413, 424].map((s) => isRetryableInvokeError(withStatus(s)))).to.deep.equal([false, false, false, false, false]);
        expect(isRetryableInvokeError(Object.assign(new Error(), { code: "ECONNRESET" }))).to.equal(true);
        expect(isRetryableInvokeError(inferenceError("ModelContractError", "x"))).to.equal(false);
    });

    it("classifies SageMaker's try-again error names as retryable without a status, and a bare value as not", () => {
        const names = ["ThrottlingException", "ModelNotReadyException", "ServiceUnavailable", "InternalFailure", "InternalDependencyException", "TimeoutError"];
        for (const name of names) expect(isRetryableInvokeError(Object.assign(new Error(), { name })), name).to.equal(true);
        for (const name of ["ValidationError", "ModelError", ""]) expect(isRetryableInvokeError(Object.assign(new Error(), { name })), name).to.equal(false);
        for (const value of [undefined, null, "ECONNRESET", 503]) expect(isRetryableInvokeError(value), String(value)).to.equal(false);
    });

    it("sleeps for real between attempts when no sleep hook is given", async () => {
        let calls = 0;
        const started = Date.now();
        const result = await withRetry(async () => { if (++calls < 3) throw new Error("again"); return "ok"; }, () => true,
            { maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 1000 }, { random: () => 1 });
        expect([result, calls]).to.deep.equal(["ok", 3]);
        // 40 + 80 ms of backoff (timers may fire a millisecond early).
        expect(Date.now() - started).to.be.at.least(118);
    });

    describe("the request it sends", () => {
        const sagemaker = mockedDuring(SageMakerRuntimeClient);
        it("asks for text/csv scores of a text/csv body on the named endpoint", async () => {
            sagemaker().on(InvokeEndpointCommand).resolves({ Body: Buffer.from("0.5\n") as never });
            const body = "1,2,3,4,5,6,7,8\n";
            await endpointScorer({ client: new SageMakerRuntimeClient({ region: "ap-southeast-2" }), endpointName: "scorer-x" })(body, 1);
            const [input] = sagemaker().commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input as InvokeEndpointCommandInput);
            expect({ ...input, Body: Buffer.from(input.Body as Uint8Array).toString("utf8") }).to.deep.equal({ EndpointName: "scorer-x", ContentType: "text/csv", Accept: "text/csv", Body: body });
        });
    });

    it("draws full-jitter delays within the capped exponential bound", () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
            const delay = backoffDelay(POLICY, attempt, () => r);
            expect(delay).to.be.at.least(0);
            expect(delay).to.be.at.most(Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1)));
        }));
    });

    describe("parseScores", () => {
        it("reads one score per line, with or without a final newline or CRLF", () => {
            expect(parseScores("0.5\n1\n0\n", 3)).to.deep.equal([0.5, 1, 0]);
            expect(parseScores("0.25\r\n0.75", 2)).to.deep.equal([0.25, 0.75]);
        });
        for (const [text, n, message] of [["0.5\n", 2, /1 scores for 2 rows/], ["1.5\n", 1, /not a number in \[0, 1\]/], ["\n0.2\n", 2, /score 1 ""/], ["nan\n", 1, /not a number/]] as const) {
            it(`rejects ${JSON.stringify(text)} for ${n} rows`, () => {
                expect(() => parseScores(text, n)).to.throw(message).with.property("name", "ModelContractError");
            });
        }
    });
});
