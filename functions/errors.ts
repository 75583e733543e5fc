/**
 * Base for errors thrown by code that runs inside a Lambda. Pulumi's closure serialization turns
 * `class X extends Error` into a plain function whose `super(message)` becomes
 * `Error.call(this, message)`, which sets nothing on the instance: name and message are assigned
 * explicitly so they still reach the Lambda's logs (tests/functions/errors.test.ts proves it).
 */
export class LambdaError extends Error {
    constructor(name: string, message: string) {
        super(message);
        this.name = name;
        this.message = message;
    }
}

/**
 * True when `error` is a LambdaError named `name`. Use this, never `instanceof`, for project error
 * classes: inside a serialized closure the class a module compares against need not be the one
 * that built the error, and `instanceof` is then false (issue 12, defect 8).
 */
export function isNamedError(error: unknown, name: string): boolean {
    return typeof error === "object" && error !== null && (error as { name?: unknown }).name === name;
}
