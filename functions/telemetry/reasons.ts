/**
 * Why a reading (or a part of an input) was quarantined. The kind is what manifests count;
 * the human-readable reason beside it names the field and value.
 */
export type ReasonKind =
    /** The reading is not a JSON object (array, string, number, null). */
    | "not-an-object"
    | "missing-field"
    | "unknown-field"
    | "wrong-type"
    | "out-of-range"
    /** A string field does not match its pattern or format (detector_id, timestamp). */
    | "bad-format"
    | "malformed-json"
    | "invalid-utf8"
    | "line-too-long"
    /** The same (detector_id, seq) was already converted from this file or record. */
    | "duplicate"
    /**
     * The reading's detector_id is not the authenticated sender: another device's serial, a
     * record whose signature does not verify, or (batch) a detector not deployed at the
     * uploading site at the reading's time. docs/device-identity.md.
     */
    | "identity-mismatch"
    /** Whole-input failures: the unreadable remainder is quarantined as one entry. */
    | "truncated-gzip"
    | "corrupt-gzip"
    /** A gzip record inflates past the size a plain record may have (a gzip bomb). */
    | "inflated-too-large"
    | "read-error"
    | "unclosed-array"
    | "trailing-garbage"
    /** The whole input is in another encoding (UTF-16 by its byte order mark): refused, one entry. */
    | "wrong-encoding"
    /** A run of NUL bytes: space allocated but never written, typically a power loss while recording. */
    | "nul-padding"
    /** Manifest-level only: nothing to convert. */
    | "empty-file";

/** One quarantined reading (or unreadable remainder) as written to quarantine NDJSON. */
export interface QuarantinedReading {
    /** 1-based line number (NDJSON) or array element number (JSON array) where it starts. */
    readonly line: number;
    readonly kind: ReasonKind;
    readonly reason: string;
    /** The original text, truncated to RAW_PREVIEW_CHARS. */
    readonly raw: string;
}
