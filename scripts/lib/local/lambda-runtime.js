/*
 * The local Lambda runtime: one execution environment. Loads the serialized package from the
 * directory given as argv[2] (handler "file.export"), then serves invocations one at a time
 * over IPC, as Lambda's runtime API does. Errors are reported as Lambda reports them:
 * errorType is the error's name, errorMessage its message. Plain JavaScript on purpose: the
 * environment must not depend on tsx or the repository's sources.
 */
"use strict";
const path = require("path");
const [dir, handlerSpec] = process.argv.slice(2);
const [file, exportName] = handlerSpec.split(".");
let handler;
try {
    handler = require(path.join(dir, file + ".js"))[exportName];
    if (typeof handler !== "function") throw new Error(`${handlerSpec} is not a function`);
} catch (err) {
    process.send({ type: "init-error", errorType: err && err.name || "Runtime.ImportModuleError", errorMessage: String(err && err.message || err) });
    process.exit(1);
}
process.send({ type: "ready" });
process.on("message", async (msg) => {
    if (msg.type !== "invoke") return;
    const deadline = msg.deadline;
    const context = {
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        invokedFunctionArn: msg.functionArn,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        awsRequestId: msg.requestId,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
        const result = await handler(msg.event, context);
        process.send({ type: "result", requestId: msg.requestId, result: result === undefined ? null : result });
    } catch (err) {
        const e = err instanceof Object ? err : new Error(String(err));
        console.error(JSON.stringify({ level: "ERROR", errorType: e.name, errorMessage: e.message, stack: String(e.stack || "").split("\n") }));
        process.send({ type: "error", requestId: msg.requestId, errorType: e.name || "Error", errorMessage: String(e.message) });
    }
});
