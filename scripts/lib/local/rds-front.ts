/**
 * The registry's RDS endpoint, locally: a MySQL-protocol front on loopback that behaves as an
 * RDS MariaDB instance with IAM database authentication and `require_secure_transport` does, then
 * splices the client to the local cloud's MariaDB database, signed in as the same-named local
 * account, so the account's real grants decide what the session may do.
 *
 * Connection phase (https://mariadb.com/kb/en/connection/): the backend's greeting goes to the
 * client with TLS offered; a client that does not ask for TLS is refused; after the TLS upgrade
 * (a certificate of the local CA: local-ca.ts) the client's answer names the user, and the front
 * asks for the token in clear text (AuthSwitchRequest `mysql_clear_password`, as RDS does for
 * AWSAuthenticationPlugin accounts), checks it (rds-auth.ts: signature, expiry, endpoint, user,
 * IAM) and only then signs in to MariaDB with the client's own capability flags, so that after
 * MariaDB's OK the two connections carry the same protocol and are joined byte for byte.
 */
import * as net from "net";
import { Duplex } from "stream";
import * as tls from "tls";
import { Authorizer } from "./iam";
import { Principals } from "./principals";
import { ACCESS_DENIED, checkAuthToken, DbEndpoint } from "./rds-auth";
import {
    authSwitchPayload, CLIENT, errorPayload, frame, isSslRequest, nativeHandshakeResponse, nativeToken, PacketReader,
    parseAuthSwitch, parseGreeting, parseHandshakeResponse, StatementCounter, withCapabilities,
} from "./mysql-wire";

/** MariaDB's ER_SECURE_TRANSPORT_REQUIRED: what require_secure_transport=1 answers a plain connection. */
const SECURE_TRANSPORT_REQUIRED = { code: 3159, sqlState: "08004" } as const;
const CLEAR_PASSWORD = "mysql_clear_password";
const NATIVE_PASSWORD = "mysql_native_password";

/** `socket` as a stream that first yields `already` (bytes read from it before). */
function continuing(socket: net.Socket, already: Buffer): Duplex {
    const stream = new Duplex({
        read() { socket.resume(); },
        write(chunk, _encoding, done) { socket.write(chunk, done); },
        final(done) { socket.end(); done(); },
        destroy(err, done) { socket.destroy(err ?? undefined); done(err); },
    });
    if (already.length) stream.push(already);
    socket.on("data", (chunk) => { if (!stream.push(chunk)) socket.pause(); });
    socket.on("end", () => stream.push(null));
    socket.on("error", (err) => stream.destroy(err));
    return stream;
}

export interface RdsFrontOptions {
    /** The local MariaDB server the sessions are spliced to. */
    readonly backend: { readonly host: string; readonly port: number };
    /** The password of the local accounts (db-users.ts). */
    readonly backendPassword: string;
    /**
     * The local account each database user signs in to the server as (its twin for this database:
     * db-users.ts); a user without one is passed on as named, for the server to refuse.
     */
    readonly backendAccounts?: ReadonlyMap<string, string>;
    readonly tls: { readonly cert: string; readonly key: string };
    readonly region: string;
    readonly account: string;
    /** The instance's DbiResourceId, from the plan: the `dbuser:` ARNs name it. */
    readonly resourceId: string;
    readonly principals: Principals;
    readonly authorizer: Authorizer;
    readonly now?: () => number;
}

export interface RdsConnection {
    readonly user: string;
    readonly caller: string;
    readonly ok: boolean;
    readonly reason?: string;
    /** Statements the session has sent (mysql-wire.ts StatementCounter); 0 for a refused sign-in. */
    statements: number;
}

export class RdsFront {
    private server?: net.Server;
    private readonly open = new Set<net.Socket>();
    private endpoint?: DbEndpoint;
    port = 0;
    /** Every sign-in attempt, accepted or refused (the meter and tests read it). */
    readonly connections: RdsConnection[] = [];
    /**
     * Fault injection: while this says so the instance is unavailable: new connections are reset
     * and, when it starts, open sessions are dropped (a reboot or failover as clients see it).
     */
    unavailable: () => boolean = () => false;
    /** Why each handshake that broke off ended (a socket error, a backend that went away), for diagnosis. */
    readonly brokenHandshakes: string[] = [];
    /** Called with each chunk's statements as a signed-in session sends them (the meter's registry queries). */
    onStatements?: (count: number, connection: RdsConnection) => void;

    constructor(private readonly options: RdsFrontOptions) {}

    get host(): string { return "127.0.0.1"; }

    async start(): Promise<number> {
        this.server = net.createServer((socket) => { this.accept(socket).catch(() => socket.destroy()); });
        await new Promise<void>((resolve) => this.server!.listen(0, this.host, resolve));
        this.port = (this.server.address() as net.AddressInfo).port;
        const { region, account, resourceId } = this.options;
        this.endpoint = { hostPort: `${this.host}:${this.port}`, region, account, resourceId };
        return this.port;
    }

    /** Drops every open session (call when an outage starts). */
    dropAll(): void {
        for (const s of this.open) s.resetAndDestroy();
        this.open.clear();
    }

    async stop(): Promise<void> {
        this.dropAll();
        await new Promise<void>((resolve) => this.server ? this.server.close(() => resolve()) : resolve());
    }

    private track(socket: net.Socket): void {
        this.open.add(socket);
        socket.once("close", () => this.open.delete(socket));
    }

    private async accept(client: net.Socket): Promise<void> {
        if (this.unavailable()) { client.resetAndDestroy(); return; }
        this.track(client);
        const backend = net.connect(this.options.backend.port, this.options.backend.host);
        this.track(backend);
        const closeBoth = () => { client.destroy(); backend.destroy(); };
        backend.on("error", closeBoth);
        client.on("error", closeBoth);
        try {
            await this.handshake(client, backend);
        } catch (err) {
            this.brokenHandshakes.push((err as Error)?.message ?? String(err));
            closeBoth();
        }
    }

    private async handshake(plain: net.Socket, backend: net.Socket): Promise<void> {
        const fromBackend = new PacketReader(backend);
        const greeting = await fromBackend.next();
        const server = parseGreeting(greeting.payload);
        // TLS offered, compression not (the splice passes bytes, not compressed frames).
        const offered = ((server.capabilityFlags | CLIENT.SSL) & ~CLIENT.COMPRESS) >>> 0;
        plain.write(frame(0, withCapabilities(greeting.payload, offered)));

        const fromPlain = new PacketReader(plain);
        const first = await fromPlain.next();
        if (!isSslRequest(first.payload)) {
            const { code, sqlState } = SECURE_TRANSPORT_REQUIRED;
            plain.end(frame(first.seq + 1, errorPayload(code, sqlState, "Connections using insecure transport are prohibited while --require_secure_transport=ON.")));
            return;
        }
        // The client starts TLS right after its SSLRequest: its ClientHello may already be buffered.
        const client = new tls.TLSSocket(continuing(plain, fromPlain.detach()), { isServer: true, cert: this.options.tls.cert, key: this.options.tls.key });
        await new Promise<void>((resolve, reject) => { client.once("secure", resolve); client.once("error", reject); });
        const fromClient = new PacketReader(client);
        const hello = await fromClient.next();
        const response = parseHandshakeResponse(hello.payload, offered);
        let seq = hello.seq + 1;
        let token = response.authToken;
        if (response.authPluginName !== CLEAR_PASSWORD) {
            client.write(frame(seq, authSwitchPayload(CLEAR_PASSWORD)));
            const answer = await fromClient.next();
            token = answer.payload;
            seq = answer.seq + 1;
        }
        const tokenText = token.toString("utf8").replace(/\0$/, "");
        const check = await checkAuthToken(tokenText, response.user, this.endpoint!, this.options.principals, this.options.authorizer, this.options.now);
        const connection: RdsConnection = { user: response.user, caller: check.ok ? check.principal.label : "?", ok: check.ok, reason: check.ok ? undefined : check.reason, statements: 0 };
        this.connections.push(connection);
        if (!check.ok) {
            const { code, sqlState } = ACCESS_DENIED;
            client.end(frame(seq, errorPayload(code, sqlState, `Access denied for user '${response.user}'@'${plain.remoteAddress}' (using password: YES)`)));
            return;
        }

        // The same session on MariaDB: the client's flags (less TLS: the backend hop is loopback).
        const flags = (response.clientFlags & ~CLIENT.SSL) >>> 0;
        const local = { ...response, user: this.options.backendAccounts?.get(response.user) ?? response.user };
        backend.write(frame(greeting.seq + 1, nativeHandshakeResponse(local, flags, this.options.backendPassword, server.scramble)));
        let reply = await fromBackend.next();
        if (reply.payload[0] === 0xfe) {
            const ask = parseAuthSwitch(reply.payload);
            if (ask.plugin !== NATIVE_PASSWORD) throw new Error(`local account ${response.user} uses ${ask.plugin}`);
            backend.write(frame(reply.seq + 1, nativeToken(this.options.backendPassword, ask.data)));
            reply = await fromBackend.next();
        }
        // OK (or MariaDB's own refusal: an account the migrations did not create) goes to the client as its answer.
        client.write(frame(seq, reply.payload));
        if (reply.payload[0] !== 0x00) { client.end(); backend.end(); return; }
        const pendingFromClient = fromClient.detach();
        const pendingFromBackend = fromBackend.detach();
        const counter = new StatementCounter();
        const count = (chunk: Buffer) => {
            const n = counter.feed(chunk);
            if (n === 0) return;
            connection.statements += n;
            this.onStatements?.(n, connection);
        };
        count(pendingFromClient);
        if (pendingFromBackend.length) client.write(pendingFromBackend);
        if (pendingFromClient.length) backend.write(pendingFromClient);
        client.on("data", count);
        client.pipe(backend);
        backend.pipe(client);
        client.on("close", () => backend.destroy());
        backend.on("close", () => client.destroy());
    }
}
