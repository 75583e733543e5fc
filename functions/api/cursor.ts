/**
 * Page cursors as clients see them: opaque base64url around the registry's keyset position,
 * bound to the caller's client and the query's filters. A cursor from another client or another
 * query is refused (400) rather than reinterpreted. It cannot widen the tenant anyway: every page
 * query is scoped by the client id from the token, and the registry validates the position.
 */
import { createHash } from "crypto";
import { badRequest } from "./http";

/** Cursors are short; a bound on the input keeps decoding cheap. */
const MAX_CURSOR_CHARS = 512;

interface Envelope { readonly v: 1; readonly s: string; readonly k: string }

/** Which client and query a cursor belongs to, hashed so the cursor does not spell out the filters. */
function scope(clientId: string, query: Record<string, string | undefined>): string {
    const canonical = JSON.stringify([clientId, Object.entries(query).filter(([, v]) => v !== undefined).sort()]);
    return createHash("sha256").update(canonical).digest("base64url").slice(0, 22);
}

export function encodeCursor(position: string, clientId: string, query: Record<string, string | undefined>): string {
    const envelope: Envelope = { v: 1, s: scope(clientId, query), k: position };
    return Buffer.from(JSON.stringify(envelope)).toString("base64url");
}

/** The registry position inside `cursor`, if it was issued for this client and query. */
export function decodeCursor(cursor: string, clientId: string, query: Record<string, string | undefined>): string {
    const invalid = badRequest("Query parameter cursor is not a cursor this query returned.");
    if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
    let envelope: Partial<Envelope>;
    try {
        envelope = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    } catch {
        throw invalid;
    }
    if (envelope?.v !== 1 || typeof envelope.k !== "string" || envelope.s !== scope(clientId, query)) throw invalid;
    return envelope.k;
}
