/**
 * Local API Gateway HTTP API: the plan's routes, JWT authorizers and Lambda proxy
 * integrations (payload format 2.0).
 * - Routing: `METHOD /path/{param}` and `{proxy+}` route keys, then `$default`; no route: 404
 *   `{"message":"Not Found"}`.
 * - JWT authorizer: token from the identity source (Authorization header, `Bearer ` optional),
 *   verified against the issuer's keys, iss, aud/client_id, exp, nbf and the route's scopes;
 *   any failure: 401 `{"message":"Unauthorized"}`. Claims reach the function as strings
 *   (arrays as "[a b]") in requestContext.authorizer.jwt.claims.
 * - Invocation: allowed only if the function's resource policy admits apigateway.amazonaws.com
 *   for the source ARN `<executionArn>/$default/<METHOD><path>`; a function error or an invalid
 *   response is 500 `{"message":"Internal Server Error"}`; a response without statusCode is
 *   200 with the result as JSON.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
import * as http from "http";
import { randomUUID } from "crypto";
import { Authorizer } from "./iam";
import { LocalUserPool } from "./identity";
import { LocalLambda } from "./lambda";
import { LocalPlan, RoutePlan } from "./plan";
import { Principals } from "./principals";
import { closeServer, listenOnLoopback } from "./json-front";

function routeMatches(routeKey: string, method: string, path: string): Record<string, string> | undefined {
    if (routeKey === "$default") return {};
    const [m, pattern] = routeKey.split(" ");
    if (m !== "ANY" && m !== method) return undefined;
    const want = pattern.split("/");
    const got = path.split("/");
    const params: Record<string, string> = {};
    for (let i = 0; i < want.length; i++) {
        const greedy = /^\{(.+)\+\}$/.exec(want[i]);
        if (greedy) { params[greedy[1]] = got.slice(i).join("/"); return got.length > i ? params : undefined; }
        const param = /^\{(.+)\}$/.exec(want[i]);
        if (i >= got.length) return undefined;
        if (param) { if (!got[i]) return undefined; params[param[1]] = decodeURIComponent(got[i]); } else if (want[i] !== got[i]) return undefined;
    }
    return want.length === got.length ? params : undefined;
}

/** Specific routes before greedy ones before $default (API Gateway's "most specific match"). */
function specificity(r: RoutePlan): number {
    if (r.routeKey === "$default") return -1;
    const path = r.routeKey.split(" ")[1];
    return path.split("/").length * 10 - (path.includes("+}") ? 5 : 0) - (path.match(/\{/g)?.length ?? 0);
}

const claimString = (v: unknown) => Array.isArray(v) ? `[${v.join(" ")}]` : typeof v === "object" ? JSON.stringify(v) : String(v);

export class LocalHttpApi {
    private server?: http.Server;
    url = "";
    readonly requests: { routeKey: string; status: number }[] = [];

    constructor(private readonly plan: LocalPlan, private readonly lambda: LocalLambda, readonly users: LocalUserPool, private readonly authorizer: Authorizer) {}

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            this.handle(req).then(({ status, headers, body }) => { res.writeHead(status, headers); res.end(body); })
                .catch(() => { res.writeHead(500, { "content-type": "application/json" }); res.end(JSON.stringify({ message: "Internal Server Error" })); });
        });
        this.url = await listenOnLoopback(this.server);
        return this.url;
    }

    async stop(): Promise<void> {
        await closeServer(this.server);
    }

    private async handle(req: http.IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string | Buffer }> {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const raw = Buffer.concat(chunks);
        const url = new URL(req.url ?? "/", "http://local");
        const method = req.method ?? "GET";
        const message = (status: number, text: string) => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: text }) });
        const routes = [...this.plan.routes].sort((a, b) => specificity(b) - specificity(a));
        let route: RoutePlan | undefined;
        let pathParameters: Record<string, string> = {};
        for (const r of routes) {
            const params = routeMatches(r.routeKey, method, url.pathname);
            if (params) { route = r; pathParameters = params; break; }
        }
        if (!route) return message(404, "Not Found");
        const reply = (status: number, headers: Record<string, string>, body: string | Buffer) => { this.requests.push({ routeKey: route!.routeKey, status }); return { status, headers, body }; };

        let claims: Record<string, string> | undefined;
        let scopes: string[] | undefined;
        if (route.authorizer) {
            const header = req.headers.authorization ?? "";
            const token = header.replace(/^Bearer\s+/i, "");
            try {
                const payload = await this.users.verify(token, route.authorizer.issuer, route.authorizer.audiences);
                scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : undefined;
                if (route.authorizationScopes?.length && !route.authorizationScopes.some((s) => scopes?.includes(s))) throw new Error("scope");
                claims = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, claimString(v)]));
            } catch {
                return reply(401, { "content-type": "application/json", "www-authenticate": "Bearer" }, JSON.stringify({ message: "Unauthorized" }));
            }
        }

        const fn = this.plan.functions.find((f) => f.arn === route!.functionArn);
        if (!fn) return reply(500, { "content-type": "application/json" }, JSON.stringify({ message: "Internal Server Error" }));
        const sourceArn = `${route.executionArn}/$default/${method}${url.pathname}`;
        const decision = await this.authorizer.authorize({
            principal: Principals.service("apigateway.amazonaws.com"), action: "lambda:InvokeFunction", resource: fn.arn, resourcePolicy: fn.resourcePolicy,
            context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": this.plan.account },
        });
        if (!decision.allowed) return reply(500, { "content-type": "application/json" }, JSON.stringify({ message: "Internal Server Error" }));

        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== "cookie") headers[k] = Array.isArray(v) ? v.join(",") : v;
        const query: Record<string, string> = {};
        for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k).join(",");
        const now = Date.now();
        const textual = /json|text|xml|urlencoded/.test(headers["content-type"] ?? "json");
        const event = {
            version: "2.0",
            routeKey: route.routeKey,
            rawPath: url.pathname,
            rawQueryString: url.search.replace(/^\?/, ""),
            cookies: req.headers.cookie ? req.headers.cookie.split(/;\s*/) : undefined,
            headers,
            queryStringParameters: Object.keys(query).length ? query : undefined,
            pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
            requestContext: {
                accountId: this.plan.account, apiId: route.executionArn.split(":").pop(), domainName: headers.host, domainPrefix: (headers.host ?? "").split(".")[0],
                authorizer: claims ? { jwt: { claims, scopes: scopes ?? null } } : undefined,
                http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
                requestId: randomUUID(), routeKey: route.routeKey, stage: "$default",
                time: new Date(now).toUTCString(), timeEpoch: now,
            },
            body: raw.length ? (textual ? raw.toString("utf8") : raw.toString("base64")) : undefined,
            isBase64Encoded: raw.length > 0 && !textual,
        };
        const result = await this.lambda.invoke<any>(fn.arn, event);
        if (!result.ok) return reply(500, { "content-type": "application/json" }, JSON.stringify({ message: "Internal Server Error" }));
        const out = result.result;
        if (out && typeof out === "object" && "statusCode" in out) {
            const status = Number(out.statusCode);
            if (!Number.isInteger(status)) return reply(500, { "content-type": "application/json" }, JSON.stringify({ message: "Internal Server Error" }));
            const body = out.body === undefined ? "" : out.isBase64Encoded ? Buffer.from(String(out.body), "base64") : String(out.body);
            const h: Record<string, string> = { ...(out.headers ?? {}) };
            return reply(status, h, body);
        }
        return reply(200, { "content-type": "application/json" }, JSON.stringify(out));
    }
}
