import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { COMMAND_NAMES, main } from "../../scripts/mdetect";
import { Command, configure, parse, toCommand } from "../../scripts/lib/cli";

const BIN = path.join(__dirname, "..", "..", "bin", "mdetect.js");

/** Runs main in-process, capturing what commander and the commands write. */
async function mdetect(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const write = { out: process.stdout.write, err: process.stderr.write, log: console.log, error: console.error };
    process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => { err.push(String(s)); return true; }) as typeof process.stderr.write;
    console.log = (...a: unknown[]) => out.push(a.join(" ") + "\n");
    console.error = (...a: unknown[]) => err.push(a.join(" ") + "\n");
    try {
        const code = await main(argv);
        return { code, out: out.join(""), err: err.join("") };
    } finally {
        process.stdout.write = write.out;
        process.stderr.write = write.err;
        console.log = write.log;
        console.error = write.error;
    }
}

/** Every command and subcommand path, e.g. ["registry", "deployments", "end"]. */
function paths(cmd: Command, prefix: string[] = []): string[][] {
    return cmd.commands.filter((c) => c.name() !== "help").flatMap((c) => [[...prefix, c.name()], ...paths(c, [...prefix, c.name()])]);
}

describe("scripts: the mdetect CLI (commander)", () => {
    it("listens for late rejections once however often main runs in a process", async () => {
        const before = process.listenerCount("unhandledRejection");
        for (let i = 0; i < 12; i++) await mdetect(["cost", "--help"]);
        const added = process.listeners("unhandledRejection").slice(before);
        expect(added.length, "listeners main left behind").to.be.at.most(1);
    });

    it("registers every module in scripts/commands/, one line each (a new file without its line fails here)", () => {
        const files = fs.readdirSync(path.join(__dirname, "..", "..", "scripts", "commands")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
        expect([...COMMAND_NAMES].sort()).to.deep.equal(files);
    });

    it("every command and subcommand answers --help with its usage, options and examples, exit 0", async () => {
        for (const name of COMMAND_NAMES) {
            const mod = require(path.join(__dirname, "..", "..", "scripts", "commands", name));
            const cmd = toCommand(name, mod);
            for (const sub of [[name], ...paths(cmd, [name])]) {
                const { code, out } = await mdetect([...sub, "--help"]);
                expect(code, sub.join(" ")).to.equal(0);
                expect(out, sub.join(" ")).to.match(new RegExp(`^Usage: mdetect ${sub.join(" ")} `));
                expect(out, sub.join(" ")).to.include("Options:").and.include("-h, --help");
                expect(out, sub.join(" ")).to.include("Examples:\n  $ ");
            }
        }
    });

    it("the convert help, which used to be an error, names its inputs, --out and examples", async () => {
        const r = spawnSync(process.execPath, [BIN, "convert", "--help"], { encoding: "utf8" });
        expect(r.status).to.equal(0);
        expect(r.stdout).to.include("Usage: mdetect convert <inputs...> --out <dir>").and.include("-o, --out <dir>").and.include("- for stdin")
            .and.include("$ mdetect convert sd-card/ --out converted/");
    });

    it("lists the commands without one (exit 2) or with --help (exit 0); an unknown command or option exits 2 naming it", async () => {
        const none = await mdetect([]);
        expect(none.code).to.equal(2);
        for (const name of COMMAND_NAMES) expect(none.err).to.include(`  ${name}`);
        expect((await mdetect(["--help"])).code).to.equal(0);
        const unknown = await mdetect(["convrt"]);
        expect(unknown.code).to.equal(2);
        expect(unknown.err).to.include("unknown command 'convrt'").and.include("(Did you mean convert?)");
        const option = await mdetect(["cost", "--detectrs", "5"]);
        expect(option.code).to.equal(2);
        expect(option.err).to.include("unknown option '--detectrs'").and.include("usage: mdetect cost");
        const number = await mdetect(["cost", "--detectors", "many"]);
        expect(number.code).to.equal(2);
        expect(number.err).to.include("expects a whole number >= 1, got 'many'");
    });

    it("a failing action prints one line 'mdetect <command>: message' and exits 1", async () => {
        const r = await mdetect(["db", "migrate", "--url", "postgres://x/y"]);
        expect(r.code).to.equal(1);
        expect(r.err).to.equal("mdetect db: database URL must start with mysql://, got postgres://\n");
    });

    it("a module in the older shape (description + run(argv)) still works, its arguments passed through untouched", async () => {
        const seen: string[][] = [];
        const legacy = { description: "an older command", run: async (argv: string[]) => { seen.push(argv); return 3; } };
        const program = configure(new Command("mdetect").addCommand(toCommand("old", legacy)));
        expect(await parse(program, ["old", "a", "--flag", "x", "--help"])).to.equal(3);
        expect(seen).to.deep.equal([["a", "--flag", "x", "--help"]]);
        expect(program.commands[0].description()).to.equal("an older command");
    });
});
