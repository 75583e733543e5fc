/**
 * The RDS front signs in only what RDS would: a TLS session whose clear-text password is an
 * unexpired IAM token, signed by an issued session, for this endpoint and this user, whose role
 * IAM allows `rds-db:connect` as that user. Everything else is MySQL error 1045, and a session
 * without TLS is refused as require_secure_transport refuses it.
 */
import { expect } from "chai";
import * as net from "net";
import { APP_USER, FrontFixture, READ_USER, SIGN_IN_TIMEOUT_MS, signIn, signInError, startFront } from "./rds-fixtures";
import { localAccount } from "../../../scripts/lib/local/db-users";

describe("local RDS front: IAM database authentication", function () {
    const clock = { offsetMs: 0 };
    let f: FrontFixture;
    before(async () => { f = await startFront(clock); });
    after(async () => { await f?.stop(); });
    afterEach(() => { clock.offsetMs = 0; });

    it("signs in a role allowed rds-db:connect as the user, over TLS, and serves its queries", async () => {
        const conn = await signIn(f, f.session("reader-fn", [READ_USER]), READ_USER);
        try {
            const [rows] = await conn.query<any[]>("SELECT CURRENT_USER() AS me, DATABASE() AS db");
            // On the server the session is the reader's twin for this database (db-users.ts), holding its grants.
            expect(rows).to.deep.equal([{ me: `${localAccount(READ_USER, f.db.name)}@%`, db: f.db.name }]);
        } finally { await conn.end(); }
        expect(f.front.connections.at(-1)).to.deep.include({ user: READ_USER, caller: "reader-fn", ok: true });
    });

    const denied = (err: any) => [err?.errno, String(err?.message).replace(/'@'[^']*'/, "'@'host'")];

    it("refuses a role that may connect only as another user (the reader's role as the writer)", async () => {
        const err = await signInError(f, f.session("reader-fn-2", [READ_USER]), APP_USER);
        expect(denied(err)).to.deep.equal([1045, `Access denied for user '${APP_USER}'@'host' (using password: YES)`]);
        expect(f.front.connections.at(-1)?.reason).to.match(/not authorized to perform rds-db:connect/);
    });

    it("refuses a token signed for another user than the one signing in", async () => {
        const err = await signInError(f, f.session("both", [READ_USER, APP_USER]), APP_USER, { tokenUser: READ_USER });
        expect(err?.errno).to.equal(1045);
        expect(f.front.connections.at(-1)?.reason).to.match(/token is for database user mdetect_reader/);
    });

    it("refuses an expired token (RDS tokens live 15 minutes)", async () => {
        const principal = f.session("late", [READ_USER]);
        clock.offsetMs = 14 * 60 * 1000;
        expect(await signInError(f, principal, READ_USER), "14 minutes after signing").to.equal(undefined);
        clock.offsetMs = 16 * 60 * 1000;
        const err = await signInError(f, principal, READ_USER);
        expect(err?.errno).to.equal(1045);
        expect(f.front.connections.at(-1)?.reason).to.match(/expired/);
    });

    for (const [what, tamper, reason] of [
        ["a changed signature", (t: string) => t.replace(/X-Amz-Signature=([0-9a-f])/, (_, c) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`), /SignatureDoesNotMatch/],
        ["a password that is no token", () => "hunter2", /token signed for hunter2|not an RDS/],
        ["a token for another endpoint", (t: string) => t.replace(/^127\.0\.0\.1:\d+/, "db.example.com:3306"), /signed for db\.example\.com:3306/],
        ["an unknown access key", (t: string) => t.replace(/Credential=ASIA[A-Z0-9]{16}/, "Credential=ASIAUNKNOWNUNKNOWN00"), /InvalidAccessKeyId/],
    ] as const) {
        it(`refuses ${what}`, async () => {
            const err = await signInError(f, f.session(`tamper-${what}`, [READ_USER]), READ_USER, { token: tamper });
            expect(err?.errno, String(err?.message)).to.equal(1045);
            expect(f.front.connections.at(-1)?.reason).to.match(reason);
        });
    }

    it("keeps why a handshake broke off: a client that leaves after the greeting", async () => {
        const before = f.front.brokenHandshakes.length;
        const socket = net.connect(f.front.port, f.front.host);
        await new Promise((resolve) => socket.once("data", resolve));
        socket.destroy();
        for (let waited = 0; f.front.brokenHandshakes.length === before && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(f.front.brokenHandshakes.slice(before)).to.deep.equal(["connection closed during the handshake"]);
    });

    it("refuses a session without TLS before any password is sent", async () => {
        const before = f.front.connections.length;
        const err = await signInError(f, f.session("plain", [READ_USER]), READ_USER, { ssl: false });
        expect(err?.errno, String(err?.message)).to.equal(3159);
        expect(f.front.connections.length, "no sign-in was attempted").to.equal(before);
    });

    it("presents a certificate the RDS CA bundle would not vouch for: a client that trusts only the real bundle refuses it", async () => {
        const mysql = await import("mysql2/promise");
        const err = await mysql.createConnection({ host: f.front.host, port: f.front.port, user: READ_USER, ssl: "Amazon RDS", connectTimeout: SIGN_IN_TIMEOUT_MS }).catch((e) => e);
        expect(String(err?.code ?? err?.message)).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY|unable to get local issuer|HANDSHAKE_SSL_ERROR/i);
    });
});
