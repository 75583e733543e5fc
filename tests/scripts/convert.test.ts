import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gunzipSync, gzipSync } from "zlib";
import { explain, filesIn, outputName } from "../../scripts/commands/convert";
import { main } from "../../scripts/mdetect";
import { progressText } from "../../scripts/lib/progress";
import { CSV_HEADER } from "../../functions/telemetry";
import { line, reading } from "../functions/telemetry/fixtures";

const REPO = path.join(__dirname, "..", "..");

const BIN = path.join(REPO, "bin", "mdetect.js");

/** Runs the command in-process through the CLI's entry, capturing what it prints. */
async function mdetectConvert(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (...a: unknown[]) => out.push(a.join(" "));
    console.error = (...a: unknown[]) => err.push(a.join(" "));
    try {
        const code = await main(["convert", ...argv]);
        return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
        console.log = log;
        console.error = error;
    }
}

function outputs(dir: string, name: string): { csvRows: string[]; quarantine: Array<{ kind: string; reason: string }>; manifest: Record<string, unknown> } {
    const csv = gunzipSync(fs.readFileSync(path.join(dir, `${name}.csv.gz`))).toString().trimEnd().split("\n");
    expect(csv[0]).to.equal(CSV_HEADER);
    const qFile = path.join(dir, `${name}.quarantine.ndjson`);
    const q = fs.existsSync(qFile) ? fs.readFileSync(qFile, "utf8").trimEnd() : "";
    return {
        csvRows: csv.slice(1),
        quarantine: q === "" ? [] : q.split("\n").map((l) => JSON.parse(l)),
        manifest: JSON.parse(fs.readFileSync(path.join(dir, `${name}.manifest.json`), "utf8")),
    };
}

const lineRun = (n: number): string => Array.from({ length: n }, (_, i) => line(reading({ seq: i + 1 }))).join("\n") + "\n";

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
        fs.mkdirSync(path.join(dir, "empty"));
        const { code, err } = await mdetectConvert([path.join(dir, "missing.ndjson"), path.join(dir, "empty"), good, "--out", path.join(dir, "out")]);
        expect(code).to.equal(1);
        expect(err).to.include(`cannot read ${path.join(dir, "missing.ndjson")}: no such file`);
        expect(err).to.include(`${path.join(dir, "empty")}: no telemetry files`);
        expect(outputs(path.join(dir, "out"), "good").manifest).to.include({ rowsIn: 7 });
    });

    it("a directory converts every telemetry file under it, skipping earlier outputs", async () => {
        const dump = path.join(dir, "sd");
        fs.mkdirSync(path.join(dump, "day2"), { recursive: true });
        fs.writeFileSync(path.join(dump, "day1.ndjson"), line(reading({ seq: 1 })) + "\n");
        fs.writeFileSync(path.join(dump, "day2", "day2.json.gz"), gzipSync(JSON.stringify([reading({ seq: 2 })])));
        fs.writeFileSync(path.join(dump, "notes.txt"), "not telemetry");
        fs.writeFileSync(path.join(dump, "day1.manifest.json"), "{}");
        expect(filesIn(dump)).to.deep.equal([path.join(dump, "day1.ndjson"), path.join(dump, "day2", "day2.json.gz")]);
        const { code, out } = await mdetectConvert([dump, "--out", path.join(dir, "out")]);
        expect(code).to.equal(0);
        expect(out.split("\n")).to.have.length(2);
        expect(outputs(path.join(dir, "out"), "day1").manifest).to.include({ rowsOut: 1 });
        expect(outputs(path.join(dir, "out"), "day2").manifest).to.include({ rowsOut: 1, format: "json-array" });
    });

    it("- reads stdin (gzip or not) and names the outputs stdin.*", () => {
        const r = spawnSync(process.execPath, [BIN, "convert", "-", "--out", dir], { input: gzipSync(mixed()), encoding: "utf8" });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.include("-: 7 readings in, 3 written, 4 quarantined");
        expect(outputs(dir, "stdin").manifest).to.include({ rowsIn: 7, gzip: true, sourceKey: "-" });
        const twice = spawnSync(process.execPath, [BIN, "convert", "-", "-", "--out", dir], { input: "", encoding: "utf8" });
        expect(twice.status).to.equal(2);
    });

    it("no quarantine file when nothing was quarantined, and a stale one from an earlier run is removed", async () => {
        const input = path.join(dir, "clean.ndjson");
        fs.writeFileSync(input, lineRun(3));
        fs.writeFileSync(path.join(dir, "clean.quarantine.ndjson"), "{\"stale\":true}\n");
        expect((await mdetectConvert([input, "--out", dir])).code).to.equal(0);
        expect(fs.existsSync(path.join(dir, "clean.quarantine.ndjson"))).to.equal(false);
        expect(outputs(dir, "clean").manifest).to.include({ rowsOut: 3, rowsQuarantined: 0 });
    });

    it("a UTF-16 file is refused as a whole with 're-save as UTF-8', exit 1, one quarantine entry", async () => {
        const input = path.join(dir, "excel.ndjson");
        fs.writeFileSync(input, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lineRun(99), "utf16le")]));
        const { code, err } = await mdetectConvert([input, "--out", dir]);
        expect(code).to.equal(1);
        expect(err).to.include("UTF-16LE").and.include("re-save it as UTF-8");
        expect(err.split("\n")).to.have.length(1);
        const { quarantine, manifest } = outputs(dir, "excel");
        expect(quarantine.map((q) => q.kind)).to.deep.equal(["wrong-encoding"]);
        expect(manifest).to.include({ rowsOut: 0, rowsQuarantined: 1 });
    });

    it("NUL padding after a power loss is reported as such", async () => {
        const input = path.join(dir, "power-loss.ndjson");
        fs.writeFileSync(input, Buffer.concat([Buffer.from(lineRun(4) + "{\"detector_id\":\"MD-00"), Buffer.alloc(8192)]));
        const { code, out } = await mdetectConvert([input, "--out", dir]);
        expect(code).to.equal(0);
        expect(out).to.include("6 readings in, 4 written, 2 quarantined (malformed-json 1, nul-padding 1)");
        expect(outputs(dir, "power-loss").quarantine[1].reason).to.include("8192 NUL bytes");
    });

    it("a progress line on a terminal's stderr (bytes, readings), none into a pipe", function () {
        const input = path.join(dir, "long.ndjson");
        fs.writeFileSync(input, lineRun(20000));
        const command = [process.execPath, BIN, "convert", input, "--out", dir].map((a) => `'${a}'`).join(" ");
        // util-linux script(1) runs the command on a pseudo-terminal; its output is the terminal's.
        const tty = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8" });
        if (tty.error) this.skip();
        expect(tty.status, tty.stdout).to.equal(0);
        expect(tty.stdout).to.match(/\r\x1b\[K.*long\.ndjson: [\d.]+ (KiB|MiB) of [\d.]+ MiB \(\d+%\), \d+ readings/);
        expect(tty.stdout).to.include("20000 readings in, 20000 written");
        const piped = spawnSync(process.execPath, [BIN, "convert", input, "--out", dir], { encoding: "utf8" });
        expect(piped.status).to.equal(0);
        expect(piped.stderr).to.equal("");
        expect(piped.stdout).to.not.include("\r");
    });

    it("the progress text: rate and ETA once the rate means something", () => {
        expect(progressText("f", { bytesIn: 512, rowsIn: 3 }, undefined, 10)).to.equal("f: 512 B, 3 readings");
        expect(progressText("f", { bytesIn: 4 * 1048576, rowsIn: 40000 }, 16 * 1048576, 2000)).to.equal("f: 4.0 MiB of 16 MiB (25%), 40000 readings, 2.0 MiB/s, ETA 6s");
        expect(progressText("f", { bytesIn: 1048576, rowsIn: 1 }, 1048576 * 3000, 1000)).to.match(/ETA 49m5\ds$/);
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
        const usage = spawnSync(process.execPath, [BIN, "convert", "x.ndjson"], { encoding: "utf8" });
        expect(usage.status).to.equal(2);
        expect(usage.stderr).to.include("required option '-o, --out <dir>' not specified").and.include("usage: mdetect convert <inputs...> --out <dir>");
        const missing = spawnSync(process.execPath, [BIN, "convert", path.join(dir, "nope.json"), "--out", dir], { encoding: "utf8" });
        expect(missing.status).to.equal(1);
        expect(missing.stderr).to.include("no such file");
    });
});
