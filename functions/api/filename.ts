/**
 * File names staff give for uploads become the last segment of an S3 key, so they are held to a
 * small, unambiguous alphabet: after Unicode NFC normalisation the name must be ASCII letters,
 * digits, `.`, `_` and `-`, start with a letter or digit, and hold no `..`. That refuses path
 * separators, traversal, control characters, percent-encoding and every look-alike character
 * (Cyrillic "а", fullwidth "．", division slash "∕") rather than guessing what was meant.
 */
import { badRequest } from "./http";

/** S3 keys can be 1024 bytes; a short name keeps incoming/<site>/<name> readable and bounded. */
export const MAX_FILENAME_LENGTH = 128;
const SAFE_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function safeFilename(value: unknown): string {
    if (typeof value !== "string") throw badRequest("filename must be a string.");
    const name = value.normalize("NFC");
    if (name.length === 0 || name.length > MAX_FILENAME_LENGTH) {
        throw badRequest(`filename must be 1 to ${MAX_FILENAME_LENGTH} characters.`);
    }
    if (!SAFE_FILENAME.test(name) || name.includes("..")) {
        throw badRequest("filename may hold only ASCII letters, digits, '.', '_' and '-', must start with a letter or digit and must not contain '..'.");
    }
    return name;
}
