/** Size limits of the converter, with the reason for each. */

/**
 * A reading is about 326 bytes (schema/telemetry.md); the issue calls any line over 1 MB bad input. The limit also
 * bounds the memory one line (or array element) can take while it is being assembled.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Quarantine keeps a preview of the offending text, enough to diagnose it, not the whole line. */
export const RAW_PREVIEW_CHARS = 1024;
