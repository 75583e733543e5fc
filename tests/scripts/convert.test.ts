import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gunzipSync, gzipSync } from "zlib";
import { explain, outputName, run } from "../../scripts/commands/convert";
import { CSV_HEADER } from "../../functions/telemetry";
import { line, reading } from "../functions/telemetry/fixtures";

const REPO = path.join(__dirname, "..", "..");

/** Runs the command in-process, capturing what it prints. */
async function mdetectConvert(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (...a: unknown[]) => out.push(a.join(" "));
    console.error = (...a: unknown[]) => err.push(a.join(" "));
    try {
        const code = await run(argv);
        return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
        console.log = log;
        console.error = error;
    }
}

function outputs(dir: string, name: string): { csvRows: string[]; quarantine: Array<{ kind: string }>; manifest: Record<string, unknown> } {
    const csv = gunzipSync(fs.readFileSync(path.join(dir, `${name}.csv.gz`))).toString().trimEnd().split("\n");
    expect(csv[0]).to.equal(CSV_HEADER);
    const q = fs.readFileSync(path.join(dir, `${name}.quarantine.ndjson`), "utf8").trimEnd();
    return {
        csvRows: csv.slice(1),
        quarantine: q === "" ? [] : q.split("\n").map((l) => JSON.parse(l)),
        manifest: JSON.parse(fs.readFileSync(path.join(dir, `${name}.manifest.json`), "utf8")),
    };
}

describe("scripts: mdetect convert", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-convert-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const mixed = (): string => [
        line(reading({ seq: 1 })), "{truncated", line(reading({ seq: 2, zenith_deg: 120 })),
        line(reading({ seq: 3 })), line(reading({ seq: 1 })), line({ ...reading({ seq: 4 }), colour: "red" }), line(reading({ seq: 5 })),
    ].join("\n") + "\n";

    it("a file mixing good and bad readings: CSV, quarantine and manifest whose counts add up, exit 0", async () => {
        const input = path.join(dir, "sd-card.ndjson");
        fs.writeFileSync(input, mixed());
        const out = path.join(dir, "out");
        const { code, out: printed } = await mdetectConvert([input, "--out", out]);
        expect(code).to.equal(0);
        const { csvRows, quarantine, manifest } = outputs(out, "sd-card");
        expect(csvRows).to.have.length(3);
        expect(quarantine.map((q) => q.kind)).to.deep.equal(["malformed-json", "out-of-range", "duplicate", "unknown-field"]);
        expect(manifest).to.include({ rowsIn: 7, rowsOut: 3, rowsQuarantined: 4, complete: true });
        expect(manifest.rowsIn).to.equal(csvRows.length + quarantine.length);
        expect(printed).to.include("7 readings in, 3 written, 4 quarantined (malformed-json 1, out-of-range 1, duplicate 1, unknown-field 1)");
    });

    it("names outputs after the input without its data extensions, gzip JSON arrays included", async () => {
        expect(outputName("/x/dump.ndjson.gz")).to.equal("dump");
        expect(outputName("site-7.json")).to.equal("site-7");
        expect(outputName("raw.log")).to.equal("raw.log");
        const input = path.join(dir, "array.json.gz");
        fs.writeFileSync(input, gzipSync(JSON.stringify([reading({ seq: 1 }), reading({ seq: 2 })])));
        const { code } = await mdetectConvert([input, "--out", dir]);
        expect(code).to.equal(0);
        expect(outputs(dir, "array").manifest).to.include({ rowsOut: 2, gzip: true, format: "json-array" });
    });

    it("unreadable inputs: a clear message each, exit 1, the readable files still converted", async () => {
        const good = path.join(dir, "good.ndjson");
        fs.writeFileSync(good, mixed());
        const { code, err } = await mdetectConvert([path.join(dir, "missing.ndjson"), dir, good, "--out", path.join(dir, "out")]);
        expect(code).to.equal(1);
        expect(err).to.include(`cannot read ${path.join(dir, "missing.ndjson")}: no such file`);
        expect(err).to.include(`cannot read ${dir}: is a directory`);
        expect(outputs(path.join(dir, "out"), "good").manifest).to.include({ rowsIn: 7 });
    });

    it("permission errors are named plainly", () => {
        expect(explain(Object.assign(new Error("EACCES: permission denied, open 'x'"), { code: "EACCES" }))).to.equal("permission denied");
        expect(explain(Object.assign(new Error("x"), { code: "ENOENT" }))).to.equal("no such file");
    });

    it("a truncated gzip file: partial outputs, the reason printed, exit 1", async () => {
        const input = path.join(dir, "cut.ndjson.gz");
        const gz = gzipSync(Array.from({ length: 3000 }, (_, i) => line(reading({ seq: i }))).join("\n"));
        fs.writeFileSync(input, gz.subarray(0, gz.length >> 1));
        const { code, err } = await mdetectConvert([input, "--out", dir]);
        expect(code).to.equal(1);
        expect(err).to.include("gzip data ends before the end of the compressed stream");
        const { csvRows, quarantine, manifest } = outputs(dir, "cut");
        expect(manifest).to.include({ complete: false, rowsQuarantined: 1 });
        expect(manifest.rowsIn).to.equal(csvRows.length + quarantine.length);
    });

    it("two inputs that would write the same outputs: the second is refused", async () => {
        fs.mkdirSync(path.join(dir, "a"));
        fs.mkdirSync(path.join(dir, "b"));
        for (const sub of ["a", "b"]) fs.writeFileSync(path.join(dir, sub, "d.ndjson"), mixed());
        const { code, err } = await mdetectConvert([path.join(dir, "a", "d.ndjson"), path.join(dir, "b", "d.ndjson"), "--out", path.join(dir, "out")]);
        expect(code).to.equal(1);
        expect(err).to.include("would overwrite");
    });

    it("through the bin entry: usage error exits 2, unreadable input exits 1", () => {
        const usage = spawnSync(process.execPath, [path.join(REPO, "bin", "mdetect.js"), "convert", "x.ndjson"], { encoding: "utf8" });
        expect(usage.status).to.equal(2);
        expect(usage.stderr).to.include("usage: mdetect convert <files...> --out <dir>");
        const missing = spawnSync(process.execPath, [path.join(REPO, "bin", "mdetect.js"), "convert", path.join(dir, "nope.json"), "--out", dir], { encoding: "utf8" });
        expect(missing.status).to.equal(1);
        expect(missing.stderr).to.include("no such file");
    });
});
