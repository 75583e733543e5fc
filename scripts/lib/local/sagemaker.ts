/**
 * SageMaker Runtime front: InvokeEndpoint (`POST /endpoints/{EndpointName}/invocations`,
 * restJson, signing name `sagemaker`) for the plan's endpoints. SigV4 is verified,
 * `sagemaker:InvokeEndpoint` is evaluated on the endpoint's ARN for the caller's role, and
 * the request is served by a local scoring endpoint (the packaged model under scikit-learn,
 * scripts/lib/local-endpoint.ts, or the JSON stand-in, scripts/lib/stand-in-endpoint.ts),
 * whose answers (scores, ModelError, payload-limit ValidationError) pass through unchanged.
 * Faults are injected here, where the service would answer them: 429 ThrottlingException,
 * 500 InternalFailure, 503 ServiceUnavailable.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
 */
import * as http from "http";
import { Authorizer } from "./iam";
import { closeServer, listenOnLoopback, readSigned } from "./json-front";
import { EndpointPlan } from "./plan";
import { Principal, Principals } from "./principals";
import type { ScoringEndpoint } from "../local-endpoint";

export type EndpointFault = 429 | 500 | 503;
/** The error type SageMaker Runtime names for each injectable status. */
const FAULT_TYPES: Record<EndpointFault, string> = { 429: "ThrottlingException", 500: "InternalFailure", 503: "ServiceUnavailable" };
/** Response headers of the scoring endpoint the runtime passes on. */
const PASSED_HEADERS = ["content-type", "x-amzn-errortype", "x-amzn-invoked-production-variant"];

export interface SageMakerHooks {
    /** A status to answer this invocation with instead of scoring it. */
    fault?(endpoint: EndpointPlan, principal: Principal): EndpointFault | undefined;
    /** Every authenticated invocation: rows in the body, bytes both ways, the status answered. */
    onInvoke?(call: { endpoint?: EndpointPlan; principal: Principal; rows: number; bytesIn: number; bytesOut: number; status: number }): void;
}

interface Reply { readonly status: number; readonly body: Buffer; readonly headers: Record<string, string> }

function runtimeError(status: number, type: string, message: string): Reply {
    return { status, body: Buffer.from(JSON.stringify({ message })), headers: { "content-type": "application/json", "x-amzn-errortype": type } };
}

const INVOKE_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

export class LocalSageMakerRuntime {
    private server?: http.Server;
    url = "";
    hooks: SageMakerHooks = {};

    constructor(private readonly endpoints: readonly EndpointPlan[], private readonly account: string, private readonly principals: Principals,
        private readonly authorizer: Authorizer, private readonly backend: ScoringEndpoint) {}

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            this.serve(req).catch((err): Reply => runtimeError(500, "InternalFailure", String(err?.message ?? err))).then((reply) => {
                res.writeHead(reply.status, { ...reply.headers, "content-length": reply.body.length });
                res.end(reply.body);
            });
        });
        this.url = await listenOnLoopback(this.server);
        return this.url;
    }

    async stop(): Promise<void> {
        await closeServer(this.server);
        await this.backend.stop();
    }

    private async serve(req: http.IncomingMessage): Promise<Reply> {
        const { body, url, headers, verified } = await readSigned(req, this.principals);
        if (!verified.ok) return runtimeError(403, verified.code === "SignatureDoesNotMatch" ? "InvalidSignatureException" : "UnrecognizedClientException", verified.message);
        if (verified.service !== "sagemaker") return runtimeError(403, "InvalidSignatureException", `credential scope names ${verified.service}, not sagemaker`);
        const principal = verified.principal;
        const rows = body.length ? body.toString("utf8").split("\n").filter((l) => l.trim() !== "").length : 0;
        const answer = (reply: Reply, endpoint?: EndpointPlan) => {
            this.hooks.onInvoke?.({ endpoint, principal, rows, bytesIn: body.length, bytesOut: reply.body.length, status: reply.status });
            return reply;
        };
        const match = req.method === "POST" ? INVOKE_PATH.exec(url.pathname) : null;
        if (!match) return answer(runtimeError(404, "UnknownOperationException", `no such SageMaker Runtime API: ${req.method} ${url.pathname}`));
        const name = decodeURIComponent(match[1]);
        const endpoint = this.endpoints.find((e) => e.name === name);
        if (!endpoint) return answer(runtimeError(400, "ValidationError", `Endpoint ${name} of account ${this.account} not found.`));
        const decision = await this.authorizer.authorize({ principal, action: "sagemaker:InvokeEndpoint", resource: endpoint.arn });
        if (!decision.allowed) {
            return answer(runtimeError(400, "AccessDeniedException", `User: ${principal.sessionArn} is not authorized to perform: sagemaker:InvokeEndpoint on resource: ${endpoint.arn} because no identity-based policy allows the sagemaker:InvokeEndpoint action`), endpoint);
        }
        const fault = this.hooks.fault?.(endpoint, principal);
        if (fault) return answer(runtimeError(fault, FAULT_TYPES[fault], fault === 429 ? "Rate exceeded" : "An internal error occurred; try again"), endpoint);
        const upstream = await fetch(`${this.backend.url}/endpoints/${encodeURIComponent(this.backend.endpointName)}/invocations`, {
            method: "POST", body,
            headers: Object.fromEntries(["content-type", "accept"].filter((h) => headers[h]).map((h) => [h, headers[h]])),
        });
        const passed = Object.fromEntries(PASSED_HEADERS.filter((h) => upstream.headers.has(h)).map((h) => [h, upstream.headers.get(h)!]));
        return answer({ status: upstream.status, body: Buffer.from(await upstream.arrayBuffer()), headers: passed }, endpoint);
    }
}
