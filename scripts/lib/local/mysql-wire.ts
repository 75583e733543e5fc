/**
 * The few pieces of the MySQL client/server protocol the RDS front needs before it splices the
 * two connections: packet framing (3-byte length, sequence id), mysql2's own handshake packets
 * to parse and build the connection phase, and the error packet.
 * https://mariadb.com/kb/en/connection/ (the connection phase, as MariaDB documents it)
 */
import { Socket } from "net";
import * as path from "path";

// mysql2's packet classes, flags and native-password token (the ones its client and server use).
// Its package exports only its entry points and they have no published types, so they are
// loaded by file from the installed package.
const MYSQL2 = path.dirname(require.resolve("mysql2/package.json"));
const internal = (file: string) => require(path.join(MYSQL2, "lib", file));
const Packets = internal("packets/index.js");
const Packet = internal("packets/packet.js");
const auth41 = internal("auth_41.js");
export const CLIENT: Record<string, number> = internal("constants/client.js");

export interface WirePacket { readonly seq: number; readonly payload: Buffer }

/** A packet read from a byte stream, one at a time; what arrives after the last read stays buffered. */
export class PacketReader {
    private buffered = Buffer.alloc(0);
    private waiting?: () => void;
    private failure?: Error;
    private readonly onData = (chunk: Buffer) => { this.buffered = Buffer.concat([this.buffered, chunk]); this.waiting?.(); };
    private readonly onEnd = () => { this.failure ??= new Error("connection closed during the handshake"); this.waiting?.(); };

    constructor(private readonly socket: Socket) {
        socket.on("data", this.onData);
        socket.on("end", this.onEnd);
        socket.on("close", this.onEnd);
        socket.on("error", (err) => { this.failure ??= err; this.waiting?.(); });
    }

    async next(): Promise<WirePacket> {
        for (;;) {
            if (this.buffered.length >= 4) {
                const length = this.buffered.readUIntLE(0, 3);
                if (this.buffered.length >= 4 + length) {
                    const packet = { seq: this.buffered[3], payload: this.buffered.subarray(4, 4 + length) };
                    this.buffered = this.buffered.subarray(4 + length);
                    return packet;
                }
            }
            if (this.failure) throw this.failure;
            await new Promise<void>((resolve) => { this.waiting = resolve; });
            this.waiting = undefined;
        }
    }

    /** Stops reading; the bytes already received and not consumed. */
    detach(): Buffer {
        this.socket.off("data", this.onData);
        this.socket.off("end", this.onEnd);
        this.socket.off("close", this.onEnd);
        return this.buffered;
    }
}

export function frame(seq: number, payload: Buffer): Buffer {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    header[3] = seq & 0xff;
    return Buffer.concat([header, payload]);
}

/** An ERR packet: 0xFF, error code, '#', SQL state, message. */
export function errorPayload(code: number, sqlState: string, message: string): Buffer {
    const head = Buffer.alloc(3);
    head[0] = 0xff;
    head.writeUInt16LE(code, 1);
    return Buffer.concat([head, Buffer.from(`#${sqlState}${message}`, "utf8")]);
}

/** A packet object of mysql2's, over `payload`. */
function packetOf(payload: Buffer): any {
    const buffer = Buffer.concat([Buffer.alloc(4), payload]);
    return new Packet(0, buffer, 0, buffer.length);
}

export interface Greeting {
    readonly capabilityFlags: number;
    readonly authPluginName: string;
    readonly scramble: [Buffer, Buffer];
}

export function parseGreeting(payload: Buffer): Greeting {
    const h = Packets.Handshake.fromPacket(packetOf(payload));
    // The scramble's second part ends with a NUL that is not part of it (20 bytes in all).
    return { capabilityFlags: h.capabilityFlags >>> 0, authPluginName: h.authPluginName, scramble: [h.authPluginData1, h.authPluginData2.subarray(0, 12)] };
}

/** The server's greeting with its capability flags replaced (they sit at fixed places around the version string). */
export function withCapabilities(payload: Buffer, flags: number): Buffer {
    const out = Buffer.from(payload);
    const lower = out.indexOf(0, 1) + 1 + 4 + 8 + 1;
    out.writeUInt16LE(flags & 0xffff, lower);
    out.writeUInt16LE(flags >>> 16, lower + 2 + 1 + 2);
    return out;
}

export interface HandshakeResponse {
    readonly clientFlags: number;
    readonly charsetNumber: number;
    /** MariaDB's extended client capabilities (the last 4 of the 23 reserved bytes). */
    readonly mariadbExtendedClientFlags: number;
    readonly user: string;
    readonly database?: string;
    readonly authPluginName?: string;
    readonly authToken: Buffer;
}

export function parseHandshakeResponse(payload: Buffer, serverFlags: number): HandshakeResponse {
    const r = Packets.HandshakeResponse.fromPacket(packetOf(payload), serverFlags);
    return {
        clientFlags: r.clientFlags >>> 0, charsetNumber: r.charsetNumber, mariadbExtendedClientFlags: payload.readUInt32LE(28),
        user: r.user, database: r.database, authPluginName: r.authPluginName, authToken: Buffer.from(r.authToken ?? ""),
    };
}

/** The first client packet is only 32 bytes when it asks for TLS (SSLRequest). */
export function isSslRequest(payload: Buffer): boolean {
    return payload.length === 32 && (payload.readUInt32LE(0) & CLIENT.SSL) !== 0;
}

/** A HandshakeResponse41 signing in with mysql_native_password (mysql2's packet and token). */
export function nativeHandshakeResponse(response: HandshakeResponse, flags: number, password: string, scramble: [Buffer, Buffer]): Buffer {
    const packet = new Packets.HandshakeResponse({
        flags, user: response.user, database: response.database ?? "", password,
        authPluginData1: scramble[0], authPluginData2: scramble[1],
        charsetNumber: response.charsetNumber, mariadbExtendedClientFlags: response.mariadbExtendedClientFlags, connectAttributes: {},
    }).toPacket();
    return packet.buffer.subarray(4);
}

/** The mysql_native_password answer to an AuthSwitchRequest's scramble. */
export function nativeToken(password: string, scramble: Buffer): Buffer {
    return auth41.calculateToken(password, scramble.subarray(0, 8), scramble.subarray(8, 20));
}

/** AuthSwitchRequest: 0xFE, plugin name, its data. */
export function authSwitchPayload(plugin: string, data: Buffer = Buffer.alloc(0)): Buffer {
    return Buffer.concat([Buffer.from([0xfe]), Buffer.from(`${plugin}\0`, "latin1"), data]);
}

export function parseAuthSwitch(payload: Buffer): { plugin: string; data: Buffer } {
    const end = payload.indexOf(0, 1);
    return { plugin: payload.subarray(1, end).toString("latin1"), data: payload.subarray(end + 1) };
}

/** COM_QUERY and COM_STMT_EXECUTE: the commands that run a statement (COM_STMT_PREPARE, COM_PING... run none). */
const STATEMENT_COMMANDS: readonly number[] = [0x03, 0x17];

/**
 * Counts the statements a client sends in the command phase, from its byte stream in whatever
 * chunks it arrives: a packet of sequence id 0 starts a command and its first byte names it
 * (continuations of a 16 MiB packet and LOAD DATA contents have later sequence ids). What it
 * counts is what MariaDB's `Questions` status counts for these commands.
 */
export class StatementCounter {
    private header = Buffer.alloc(0);
    /** Payload bytes of the current packet not seen yet. */
    private remaining = 0;
    private commandByteNext = false;

    /** The statements that start in `chunk`. */
    feed(chunk: Buffer): number {
        let found = 0;
        let i = 0;
        while (i < chunk.length) {
            if (this.remaining === 0) {
                const taken = chunk.subarray(i, i + 4 - this.header.length);
                this.header = Buffer.concat([this.header, taken]);
                i += taken.length;
                if (this.header.length < 4) break;
                this.remaining = this.header.readUIntLE(0, 3);
                this.commandByteNext = this.remaining > 0 && this.header[3] === 0;
                this.header = Buffer.alloc(0);
                continue;
            }
            if (this.commandByteNext && STATEMENT_COMMANDS.includes(chunk[i])) found += 1;
            this.commandByteNext = false;
            const skipped = Math.min(this.remaining, chunk.length - i);
            this.remaining -= skipped;
            i += skipped;
        }
        return found;
    }
}
