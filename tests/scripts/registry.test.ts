import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { ROUTE_TABLES } from "../../functions/api/openapi";

const BIN = path.join(__dirname, "..", "..", "bin", "mdetect.js");
/** The routes a staff user (no client binding) can call: the API's staff table, path parameters as one segment. */
const STAFF_ROUTES = Object.entries(ROUTE_TABLES).flatMap(([, routes]) => Object.entries(routes))
    .filter(([, op]) => op.access === "staff")
    .map(([key]) => new RegExp(`^${key.replace(/\{[^}]+\}/g, "[^/?]+")}(\\?.*)?$`));
const CLIENT_ID = "4example0clientid";
const SITE = { id: "9c3e5a7b-1f2d-4e6c-b8a0-4d6f8b0c3001", name: "Barrier Ridge level 26", kind: "mine", latitude: -31.9531, longitude: 141.4672, depthM: 780 };
const DEPLOYMENT_ID = "3f0c2a9e-1111-4222-8333-444455556666";

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: any }

/** One local server standing in for both Cognito's JSON API (POST / with X-Amz-Target) and the client API (/v1/...). */
class FakeCloud {
    readonly seen: Seen[] = [];
    idTokens = 0;
    /** The next API answers, by "METHOD path"; a function sees the request. */
    api: Record<string, (s: Seen) => { status: number; body: unknown; type?: string }> = {};
    expiresIn = 3600;
    private server!: http.Server;
    url = "";

    async start(): Promise<void> {
        this.server = http.createServer((req, res) => {
            let text = "";
            req.on("data", (c) => (text += c));
            req.on("end", () => {
                const seen: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined };
                this.seen.push(seen);
                const answer = req.url === "/" ? this.cognito(seen) : this.apiAnswer(seen);
                res.writeHead(answer.status, { "content-type": answer.type ?? "application/json" });
                res.end(JSON.stringify(answer.body));
            });
        });
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private token(): { IdToken: string; RefreshToken?: string; ExpiresIn: number; TokenType: string } {
        return { IdToken: `id-token-${++this.idTokens}`, ExpiresIn: this.expiresIn, TokenType: "Bearer" };
    }

    private cognito(s: Seen): { status: number; body: unknown; type: string } {
        const type = "application/x-amz-json-1.1";
        const target = s.headers["x-amz-target"];
        if (s.headers["content-type"] !== type) return { status: 400, type, body: { __type: "SerializationException" } };
        if (target === "AWSCognitoIdentityProviderService.InitiateAuth" && s.body.AuthFlow === "USER_PASSWORD_AUTH") {
            if (s.body.AuthParameters.PASSWORD !== "correct horse") return { status: 400, type, body: { __type: "NotAuthorizedException", message: "Incorrect username or password." } };
            return { status: 200, type, body: { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "session-1", ChallengeParameters: {} } };
        }
        if (target === "AWSCognitoIdentityProviderService.RespondToAuthChallenge") {
            if (s.body.Session !== "session-1" || s.body.ChallengeResponses.SOFTWARE_TOKEN_MFA_CODE !== "123456") return { status: 400, type, body: { __type: "CodeMismatchException", message: "Invalid code received for user" } };
            return { status: 200, type, body: { AuthenticationResult: { ...this.token(), RefreshToken: "refresh-1" } } };
        }
        if (target === "AWSCognitoIdentityProviderService.InitiateAuth" && s.body.AuthFlow === "REFRESH_TOKEN_AUTH" && s.body.AuthParameters.REFRESH_TOKEN === "refresh-1") {
            return { status: 200, type, body: { AuthenticationResult: this.token() } };
        }
        return { status: 400, type, body: { __type: "InvalidParameterException", message: "unexpected" } };
    }

    private apiAnswer(s: Seen): { status: number; body: unknown; type?: string } {
        if (!/^Bearer id-token-\d+$/.test(s.headers.authorization ?? "")) return { status: 401, body: { message: "Unauthorized" } };
        const route = `${s.method} ${s.url}`;
        // Staff have no client binding: only the staff routes of the real route table answer them.
        if (!STAFF_ROUTES.some((r) => r.test(route))) return { status: 403, type: "application/problem+json", body: { status: 403, title: "Forbidden", detail: "not a staff route" } };
        const answer = this.api[route];
        return answer ? answer(s) : { status: 404, type: "application/problem+json", body: { status: 404, title: "Not found", detail: "No such route." } };
    }

    requests(prefix: string): Seen[] {
        return this.seen.filter((s) => `${s.method} ${s.url}`.startsWith(prefix));
    }
}

describe("scripts: mdetect registry (staff, through the API with a Cognito sign-in)", () => {
    let cloud: FakeCloud;
    let home: string;

    beforeEach(async () => {
        cloud = new FakeCloud();
        await cloud.start();
        home = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-registry-"));
    });
    afterEach(async () => {
        await cloud.stop();
        fs.rmSync(home, { recursive: true, force: true });
    });

    function cli(args: string[], input = ""): Promise<{ code: number | null; out: string; err: string }> {
        const child = spawn(process.execPath, [BIN, "registry", ...args], {
            env: {
                ...process.env, XDG_CONFIG_HOME: home, MDETECT_API_URL: `${cloud.url}/`, MDETECT_USER_POOL_CLIENT_ID: CLIENT_ID,
                MDETECT_COGNITO_ENDPOINT: `${cloud.url}/`, AWS_REGION: "ap-southeast-2",
            },
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (err += c));
        child.stdin.end(input);
        return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
    }

    const tokenFile = () => path.join(home, "mdetect", `tokens-${CLIENT_ID}.json`);

    async function login(): Promise<void> {
        const r = await cli(["login", "--username", "field@mdetect.example"], "correct horse\n123456\n");
        expect(r.code, r.err).to.equal(0);
    }

    it("login: USER_PASSWORD_AUTH then the SOFTWARE_TOKEN_MFA challenge; tokens cached in a 0600 file", async () => {
        const r = await cli(["login", "--username", "field@mdetect.example"], "correct horse\n123456\n");
        expect(r.code, r.err).to.equal(0);
        expect(r.out).to.include("signed in as field@mdetect.example").and.include(tokenFile());
        const [initiate, respond] = cloud.requests("POST /");
        expect(initiate.headers["x-amz-target"]).to.equal("AWSCognitoIdentityProviderService.InitiateAuth");
        expect(initiate.body).to.deep.equal({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: CLIENT_ID, AuthParameters: { USERNAME: "field@mdetect.example", PASSWORD: "correct horse" } });
        expect(respond.headers["x-amz-target"]).to.equal("AWSCognitoIdentityProviderService.RespondToAuthChallenge");
        expect(respond.body).to.deep.equal({ ChallengeName: "SOFTWARE_TOKEN_MFA", ClientId: CLIENT_ID, Session: "session-1", ChallengeResponses: { USERNAME: "field@mdetect.example", SOFTWARE_TOKEN_MFA_CODE: "123456" } });
        expect(fs.statSync(tokenFile()).mode & 0o777).to.equal(0o600);
        expect(fs.statSync(path.dirname(tokenFile())).mode & 0o077).to.equal(0);
        expect(JSON.parse(fs.readFileSync(tokenFile(), "utf8"))).to.include({ idToken: "id-token-1", refreshToken: "refresh-1", username: "field@mdetect.example" });
        expect(r.out + r.err).to.not.include("correct horse").and.not.include("id-token-1");
    });

    it("a wrong password or code: one line naming Cognito's reason, exit 1, nothing cached", async () => {
        const wrong = await cli(["login", "--username", "u"], "nope\n123456\n");
        expect(wrong.code).to.equal(1);
        expect(wrong.err).to.equal("mdetect registry: sign-in refused (NotAuthorizedException): Incorrect username or password.\n");
        const code = await cli(["login", "--username", "u"], "correct horse\n000000\n");
        expect(code.err).to.equal("mdetect registry: sign-in refused (CodeMismatchException): Invalid code received for user\n");
        expect(fs.existsSync(tokenFile())).to.equal(false);
    });

    it("without a session: says to log in, calls nothing", async () => {
        const r = await cli(["sites", "list"]);
        expect(r.code).to.equal(1);
        expect(r.err).to.include("not signed in: run `mdetect registry login");
        expect(cloud.seen).to.deep.equal([]);
    });

    it("lists through the API with the ID token as Bearer, as a table or JSON", async () => {
        await login();
        cloud.api["GET /v1/registry/sites"] = () => ({ status: 200, body: { items: [SITE] } });
        const r = await cli(["sites", "list"]);
        expect(r.code, r.err).to.equal(0);
        expect(r.out.split("\n")[0]).to.match(/^id\s+name\s+kind\s+latitude\s+longitude\s+depthM$/);
        expect(r.out).to.include("Barrier Ridge level 26  mine");
        expect(cloud.requests("GET /v1/registry/sites")[0].headers.authorization).to.equal("Bearer id-token-1");
        const json = await cli(["sites", "list", "--json"]);
        expect(JSON.parse(json.out)).to.deep.equal([SITE]);
    });

    it("adds a detector with the body the API's route expects", async () => {
        await login();
        cloud.api["POST /v1/detectors"] = (s) => ({ status: 201, body: { id: "b2d4f6a8-3c5e-4a7b-9d1f-5e7a9c1b4042", ...s.body, status: "in_stock", commissionedAt: null } });
        const r = await cli(["detectors", "add", "--serial", "MD-0042", "--model", "MuScope 2", "--firmware", "2.4.1"]);
        expect(r.code, r.err).to.equal(0);
        expect(r.out.trim()).to.equal("added detector b2d4f6a8-3c5e-4a7b-9d1f-5e7a9c1b4042");
        const [post] = cloud.requests("POST /v1/detectors");
        expect(post.headers["content-type"]).to.equal("application/json");
        expect(post.body).to.deep.equal({ serial: "MD-0042", model: "MuScope 2", firmware: "2.4.1" });
    });

    it("adds a site with numbers as numbers, and refuses a non-number before calling", async () => {
        await login();
        cloud.api["POST /v1/sites"] = (s) => ({ status: 201, body: { id: SITE.id, ...s.body } });
        const ok = await cli(["sites", "add", "--name", "L27", "--kind", "mine", "--latitude", "-31.9", "--longitude", "141.4", "--depth-m", "810"]);
        expect(ok.code, ok.err).to.equal(0);
        expect(cloud.requests("POST /v1/sites")[0].body).to.deep.equal({ name: "L27", kind: "mine", latitude: -31.9, longitude: 141.4, depthM: 810 });
        const bad = await cli(["sites", "add", "--name", "L28", "--kind", "mine", "--latitude", "south", "--longitude", "141.4"]);
        expect(bad.code).to.equal(2);
        expect(bad.err).to.include("expects a number, got 'south'");
        expect(cloud.requests("POST /v1/sites")).to.have.length(1);
    });

    it("ends a deployment with PATCH endsAt + retrieved; a 409 problem is printed as one line with its detail", async () => {
        await login();
        cloud.api[`PATCH /v1/deployments/${DEPLOYMENT_ID}`] = (s) => ({ status: 200, body: { id: DEPLOYMENT_ID, ...s.body } });
        const ended = await cli(["deployments", "end", DEPLOYMENT_ID, "--at", "2026-03-01T00:00:00Z"]);
        expect(ended.code, ended.err).to.equal(0);
        expect(cloud.requests("PATCH")[0].body).to.deep.equal({ endsAt: "2026-03-01T00:00:00.000Z", status: "retrieved" });
        expect(ended.out.trim()).to.equal(`ended deployment ${DEPLOYMENT_ID} at 2026-03-01T00:00:00.000Z (retrieved)`);
        const detail = `detector MD-0003 is already deployed at site 'Harbourline chainage 3+400' from 2025-04-01T00:00:00.000Z with no end (deployment ${DEPLOYMENT_ID}); ...`;
        cloud.api["POST /v1/deployments"] = () => ({ status: 409, type: "application/problem+json", body: { type: "https://mdetect.com.au/problems/conflict", title: "Conflict", status: 409, detail, code: "overlapping_deployment" } });
        const clash = await cli(["deployments", "add", "--detector-id", "b2d4f6a8-3c5e-4a7b-9d1f-5e7a9c1b4003", "--site-id", SITE.id, "--project-id", "7a1f3c2e-0d4b-4f6a-8c21-3b5d7e9f2001", "--starts-at", "2026-01-01T00:00:00Z"]);
        expect(clash.code).to.equal(1);
        expect(clash.err).to.equal(`mdetect registry: 409 Conflict: ${detail}\n`);
        expect(cloud.requests("POST /v1/deployments")[0].body).to.deep.include({ startsAt: "2026-01-01T00:00:00Z" });
    });

    it("renews an expiring session with the refresh token and re-caches it; a 401 from API Gateway is retried once with a renewed token", async () => {
        cloud.expiresIn = 30; // inside the renewal margin: the next call refreshes first
        await login();
        cloud.expiresIn = 3600;
        cloud.api["GET /v1/registry/detectors"] = () => ({ status: 200, body: { items: [] } });
        const r = await cli(["detectors", "list"]);
        expect(r.code, r.err).to.equal(0);
        expect(r.out.trim()).to.equal("no detectors");
        const refresh = cloud.requests("POST /").at(-1)!;
        expect(refresh.body).to.deep.equal({ AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: CLIENT_ID, AuthParameters: { REFRESH_TOKEN: "refresh-1" } });
        expect(cloud.requests("GET /v1/registry/detectors")[0].headers.authorization).to.equal("Bearer id-token-2");
        expect(JSON.parse(fs.readFileSync(tokenFile(), "utf8"))).to.include({ idToken: "id-token-2", refreshToken: "refresh-1" });
        expect(fs.statSync(tokenFile()).mode & 0o777).to.equal(0o600);

        let calls = 0;
        cloud.api["GET /v1/registry/deployments"] = () => (++calls === 1 ? { status: 401, body: { message: "Unauthorized" } } : { status: 200, body: { items: [] } });
        const retried = await cli(["deployments", "list"]);
        expect(retried.code, retried.err).to.equal(0);
        expect(cloud.requests("GET /v1/registry/deployments").map((s) => s.headers.authorization)).to.deep.equal(["Bearer id-token-2", "Bearer id-token-3"]);

        cloud.api["GET /v1/registry/sites"] = () => ({ status: 401, body: { message: "Unauthorized" } });
        const refused = await cli(["sites", "list"]);
        expect(refused.code).to.equal(1);
        expect(refused.err).to.equal("mdetect registry: 401 Unauthorized: Unauthorized (run `mdetect registry login`)\n");
    });

    it("logout removes the cached session", async () => {
        await login();
        expect((await cli(["logout"])).out.trim()).to.equal("signed out; cached session removed");
        expect(fs.existsSync(tokenFile())).to.equal(false);
    });
});
