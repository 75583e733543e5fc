import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { InvalidEventError } from "../../functions/batch/event";

/** Serializes `fn` the way CallbackFunction does and loads it in a fresh directory. */
async function serialized(fn: () => unknown): Promise<() => unknown> {
    const { text, exportName } = await pulumi.runtime.serializeFunction(fn);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-errors-")), "index.js");
    fs.writeFileSync(file, text);
    return require(file)[exportName];
}

function thrown(fn: () => unknown): any {
    try { fn(); } catch (e) { return e; }
    throw new Error("expected a throw");
}

describe("functions: errors keep their name and message inside a serialized Lambda", () => {
    it("a LambdaError subclass survives closure serialization", async () => {
        const handler = await serialized(() => { throw new InvalidEventError("not an S3 Object Created event"); });
        const err = thrown(handler);
        expect([err.name, err.message]).to.deep.equal(["InvalidEventError", "not an S3 Object Created event"]);
    });

    it("a plain `extends Error` class does not (why LambdaError exists)", async () => {
        class Plain extends Error {}
        const handler = await serialized(() => { throw new Plain("lost"); });
        expect(thrown(handler).message).to.not.equal("lost");
    });
});
