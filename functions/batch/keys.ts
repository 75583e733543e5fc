/**
 * Where a batch upload's outputs go: deterministic keys derived from the source key and its
 * version id, so reprocessing the same object version overwrites the same objects (no
 * duplicates) and two different uploads can never share an output key.
 */
import { createHash } from "crypto";
import { PREFIX } from "../layout";
import { LambdaError } from "../errors";

/** Sub-area of raw/, curated/ and quarantine/ owned by batch ingest (realtime/ is Firehose's). */
export const BATCH = "batch/";
/** Characters kept in output keys; anything else becomes "_" (S3's "safe" characters, minus the ones that need quoting). */
const UNSAFE = /[^A-Za-z0-9._-]+/g;
/** Longest site or file name accepted: S3 keys are at most 1024 bytes and outputs add prefixes. */
export const MAX_SEGMENT_BYTES = 200;
/** Hex digits of the version tag: 64 bits, so a collision between two uploads is negligible. */
const TAG_HEX = 16;
/** Input extensions stripped from the output name (longest first); any other name is kept whole. */
const INPUT_EXTENSIONS = [".ndjson.gz", ".jsonl.gz", ".json.gz", ".ndjson", ".jsonl", ".json", ".gz"];
/** S3's version id for objects written while versioning was off. */
export const NULL_VERSION = "null";

export class InvalidKeyError extends LambdaError {
    constructor(message: string) { super("InvalidKeyError", message); }
}

export interface IncomingKey {
    readonly key: string;
    readonly site: string;
    readonly file: string;
}

export interface OutputKeys {
    /** Byte-for-byte copy of the upload, ages to Glacier. */
    readonly raw: string;
    readonly curated: string;
    readonly quarantine: string;
    /**
     * Written last: its presence means the other three are complete. Beside the raw copy, not in
     * curated/, whose every object is CSV for inference; under 128 KB it never leaves Standard.
     */
    readonly manifest: string;
}

function checkSegment(key: string, what: string, value: string): void {
    const fail = (why: string): never => { throw new InvalidKeyError(`rejected key ${JSON.stringify(key)}: ${what} ${why}`); };
    if (value === "") fail("is empty");
    if (value === "." || value === "..") fail(`is '${value}'`);
    if (/[\u0000-\u001f\u007f]/.test(value)) fail("contains control characters");
    if (Buffer.byteLength(value, "utf8") > MAX_SEGMENT_BYTES) fail(`is longer than ${MAX_SEGMENT_BYTES} bytes`);
}

/** Parses `incoming/<site>/<file>`; throws InvalidKeyError (with the reason) for anything else. */
export function parseIncomingKey(key: string): IncomingKey {
    if (!key.startsWith(PREFIX.incoming)) throw new InvalidKeyError(`rejected key ${JSON.stringify(key)}: not under ${PREFIX.incoming}`);
    const parts = key.slice(PREFIX.incoming.length).split("/");
    if (parts.length !== 2) {
        throw new InvalidKeyError(`rejected key ${JSON.stringify(key)}: expected ${PREFIX.incoming}<site>/<file>, found ${parts.length} path segments`);
    }
    const [site, file] = parts;
    checkSegment(key, "site", site);
    checkSegment(key, "file name", file);
    return { key, site, file };
}

/** A folder placeholder (console "Create folder"): nothing to convert. */
export function isFolderMarker(key: string): boolean {
    return key.endsWith("/");
}

function safe(segment: string): string {
    return segment.normalize("NFC").replace(UNSAFE, "_");
}

/** Output keys for one version of one upload. */
export function outputKeys(source: IncomingKey, versionId: string = NULL_VERSION): OutputKeys {
    const extension = INPUT_EXTENSIONS.find((e) => source.file.toLowerCase().endsWith(e) && source.file.length > e.length) ?? "";
    const stem = safe(source.file.slice(0, source.file.length - extension.length));
    // The tag hashes the exact key and version: names are normalised for readability, the tag keeps them unique.
    const tag = createHash("sha256").update(`${source.key}\n${versionId}`).digest("hex").slice(0, TAG_HEX);
    const base = `${BATCH}${safe(source.site)}/${stem}.${tag}`;
    return {
        raw: `${PREFIX.raw}${base}${extension.toLowerCase()}`,
        curated: `${PREFIX.curated}${base}.csv.gz`,
        quarantine: `${PREFIX.quarantine}${base}.ndjson.gz`,
        manifest: `${PREFIX.raw}${base}.manifest.json`,
    };
}
