/**
 * Named errors without subclassing Error: the Lambda's closure serializer rewrites
 * `class X extends Error` so that the message is lost (`Error.call(this)` returns a new object),
 * so these are plain Errors with a name, told apart by `name`.
 */
export type InferenceErrorName = "NotCuratedError" | "CuratedFormatError" | "OversizeRowError" | "ModelContractError";

export function inferenceError(name: InferenceErrorName, message: string): Error {
    const error = new Error(message);
    error.name = name;
    return error;
}

export function isInferenceError(error: unknown, name: InferenceErrorName): boolean {
    return error instanceof Error && error.name === name;
}
