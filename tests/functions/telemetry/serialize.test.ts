import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough, Readable } from "stream";
import { convertRecord, convertStream } from "../../../functions/telemetry";
import { line, reading } from "./fixtures";

const ROOT = path.join(__dirname, "..", "..", "..");

describe("functions/telemetry: survives Pulumi closure serialization (what every Lambda zip gets)", () => {
    it("a closure over convertRecord and convertStream serializes and runs in a fresh module with only papaparse installed", async () => {
        const handler = async (text: string) => {
            const out = new PassThrough();
            const quarantine = new PassThrough();
            let csv = "";
            out.on("data", (d: Buffer) => (csv += d.toString()));
            quarantine.resume();
            const manifest = await convertStream({ input: Readable.from([Buffer.from(text)]), sourceKey: "k", curated: out, quarantine });
            return { record: convertRecord(text), manifest, csv };
        };
        const { text } = await pulumi.runtime.serializeFunction(handler);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-telemetry-"));
        try {
            fs.mkdirSync(path.join(dir, "node_modules"));
            fs.symlinkSync(path.join(ROOT, "node_modules", "papaparse"), path.join(dir, "node_modules", "papaparse"), "dir");
            fs.writeFileSync(path.join(dir, "index.js"), text);
            const loaded = require(path.join(dir, "index.js")).handler as typeof handler;
            const input = [line(reading({ seq: 1 })), "{bad", line(reading({ seq: 1 }))].join("\n");
            const result = await loaded(input);
            expect(result).to.deep.equal(await handler(input));
            expect(result.record.readingsIn).to.equal(3);
            expect(result.manifest).to.include({ rowsOut: 1, rowsQuarantined: 2 });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
