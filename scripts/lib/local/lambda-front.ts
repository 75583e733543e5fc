/**
 * The Lambda Invoke API for functions that call functions (the transform and the batch path ask
 * the registry-access function for device keys and site deployments): `POST
 * /2015-03-31/functions/{name}/invocations`, SigV4 verified, `lambda:InvokeFunction` evaluated
 * for the caller's role, and the answer shaped as Lambda shapes it (200 with the payload;
 * `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage}` when the function failed;
 * 403 AccessDeniedException, 404 ResourceNotFoundException).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import * as http from "http";
import { Authorizer } from "./iam";
import { closeServer, listenOnLoopback, readSigned } from "./json-front";
import { FunctionPlan } from "./plan";
import { Principals } from "./principals";

interface Reply { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }

/** Runs an invocation of `fn`: its result, or the error Lambda reports. */
export type InvokeTarget = (fn: FunctionPlan, payload: unknown) => Promise<{ ok: true; result: unknown } | { ok: false; errorType: string; errorMessage: string }>;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

function lambdaError(status: number, type: string, message: string): Reply {
    return { status, body: JSON.stringify({ Type: "User", message }), headers: { "x-amzn-errortype": type } };
}

export class LambdaFront {
    private server?: http.Server;
    url = "";
    /** Hook for the meter. */
    onInvoke?: (fn: FunctionPlan, bytesIn: number, bytesOut: number) => void;

    constructor(private readonly functions: readonly FunctionPlan[], private readonly principals: Principals,
        private readonly authorizer: Authorizer, private readonly target: InvokeTarget) {}

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            this.serve(req).catch((err): Reply => lambdaError(500, "ServiceException", String(err?.message ?? err))).then((reply) => {
                res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
                res.end(reply.body);
            });
        });
        this.url = await listenOnLoopback(this.server);
        return this.url;
    }

    stop(): Promise<void> {
        return closeServer(this.server);
    }

    private async serve(req: http.IncomingMessage): Promise<Reply> {
        const { body, url, verified } = await readSigned(req, this.principals);
        if (!verified.ok) return lambdaError(403, verified.code === "SignatureDoesNotMatch" ? "InvalidSignatureException" : "UnrecognizedClientException", verified.message);
        const match = req.method === "POST" ? INVOKE_PATH.exec(url.pathname) : null;
        if (!match) return lambdaError(404, "ResourceNotFoundException", `no such Lambda API: ${req.method} ${url.pathname}`);
        const name = decodeURIComponent(match[1]).replace(/:\$LATEST$/, "");
        const fn = this.functions.find((f) => f.arn === name || f.name === name);
        if (!fn) return lambdaError(404, "ResourceNotFoundException", `Function not found: ${name}`);
        const decision = await this.authorizer.authorize({ principal: verified.principal, action: "lambda:InvokeFunction", resource: fn.arn });
        if (!decision.allowed) {
            return lambdaError(403, "AccessDeniedException", `User: ${verified.principal.sessionArn} is not authorized to perform: lambda:InvokeFunction on resource: ${fn.arn}`);
        }
        let payload: unknown;
        try { payload = body.length ? JSON.parse(body.toString("utf8")) : {}; } catch { return lambdaError(400, "InvalidRequestContentException", "Could not parse request body into json"); }
        const outcome = await this.target(fn, payload);
        const reply: Reply = outcome.ok
            ? { status: 200, body: JSON.stringify(outcome.result ?? null), headers: { "x-amz-executed-version": "$LATEST" } }
            : { status: 200, body: JSON.stringify({ errorType: outcome.errorType, errorMessage: outcome.errorMessage }), headers: { "x-amz-executed-version": "$LATEST", "x-amz-function-error": "Unhandled" } };
        this.onInvoke?.(fn, body.length, Buffer.byteLength(reply.body));
        return reply;
    }
}
