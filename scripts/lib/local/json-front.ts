/**
 * A front for AWS services that speak the JSON protocol (X-Amz-Target: `Prefix.Operation`):
 * verifies SigV4, names the IAM action (`<service>:<Operation>`), lets the service say which
 * resource a request addresses and which other checks it needs (KMS), evaluates them with
 * the real evaluator and answers a denial as these services do (HTTP 400,
 * `{"__type":"AccessDeniedException"}`). The service behind it is a function.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { Authorizer } from "./iam";
import { PolicyDocument } from "./plan";
import { Principal, Principals } from "./principals";
import { verifySigV4 } from "./sigv4";

export interface JsonCheck {
    readonly action: string;
    readonly resource: string;
    readonly resourcePolicy?: PolicyDocument;
    readonly context?: Record<string, string>;
}

export interface JsonCall {
    readonly operation: string;
    readonly input: any;
    readonly principal: Principal;
    readonly rawBody: Buffer;
    readonly headers: Record<string, string>;
}

export interface JsonReply { readonly status: number; readonly body: Buffer | string; readonly headers?: Record<string, string> }

export interface JsonService {
    /** Signing name in the credential scope (`kinesis`, `firehose`). */
    readonly signingName: string;
    /** IAM checks for a call; an empty list means the call needs no permission (none here). */
    checks(call: JsonCall): JsonCheck[];
    handle(call: JsonCall): Promise<JsonReply>;
    onCall?(call: JsonCall, reply: JsonReply, allowed: boolean): void;
}

/** Listens on a free loopback port; the server's base URL. */
export async function listenOnLoopback(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: http.Server | undefined): Promise<void> {
    await new Promise<void>((resolve) => server ? server.close(() => resolve()) : resolve());
    server?.closeAllConnections?.();
}

/** A request's body, URL and headers, and who signed it (SigV4 verified against the issued sessions). */
export async function readSigned(req: http.IncomingMessage, principals: Principals) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://local");
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]));
    const verified = await verifySigV4({ method: req.method!, path: url.pathname, query: url.searchParams, headers, body }, principals);
    return { body, url, headers, verified };
}

export function jsonError(type: string, message: string, status = 400): JsonReply {
    return { status, body: JSON.stringify({ __type: type, message }), headers: { "x-amzn-errortype": type } };
}

export class JsonFront {
    private server?: http.Server;
    url = "";

    constructor(private readonly service: JsonService, private readonly principals: Principals, private readonly authorizer: Authorizer) {}

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            this.serve(req).then((reply) => {
                const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
                res.writeHead(reply.status, { "content-type": "application/x-amz-json-1.1", "content-length": body.length, ...reply.headers });
                res.end(body);
            }).catch((err) => {
                const reply = jsonError("InternalFailure", String(err?.message ?? err), 500);
                res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
                res.end(reply.body);
            });
        });
        this.url = await listenOnLoopback(this.server);
        return this.url;
    }

    stop(): Promise<void> {
        return closeServer(this.server);
    }

    private async serve(req: http.IncomingMessage): Promise<JsonReply> {
        const { body, headers, verified } = await readSigned(req, this.principals);
        if (!verified.ok) {
            const type = verified.code === "SignatureDoesNotMatch" ? "InvalidSignatureException" : verified.code === "InvalidAccessKeyId" ? "UnrecognizedClientException" : verified.code;
            return jsonError(type, verified.message, 400);
        }
        if (verified.service !== this.service.signingName) return jsonError("InvalidSignatureException", `credential scope names ${verified.service}, not ${this.service.signingName}`);
        const operation = (headers["x-amz-target"] ?? "").split(".").pop() ?? "";
        let input: any;
        try { input = body.length ? JSON.parse(body.toString("utf8")) : {}; } catch { return jsonError("SerializationException", "request body is not JSON"); }
        const call: JsonCall = { operation, input, principal: verified.principal, rawBody: body, headers };
        for (const check of this.service.checks(call)) {
            const decision = await this.authorizer.authorize({ principal: call.principal, ...check });
            if (!decision.allowed) {
                const reply = jsonError("AccessDeniedException", `User: ${call.principal.sessionArn} is not authorized to perform: ${check.action} on resource: ${check.resource} because no identity-based policy allows the ${check.action} action`);
                this.service.onCall?.(call, reply, false);
                return reply;
            }
        }
        const reply = await this.service.handle(call);
        this.service.onCall?.(call, reply, true);
        return reply;
    }
}
