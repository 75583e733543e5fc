/**
 * `mdetect <command> [args]`: one entry point for the offline plan, conversion, registry,
 * policy and cost tools. Each command lives in scripts/commands/<name>.ts and exports
 * `description` and `run(argv): Promise<number>` (the exit code).
 */
import * as fs from "fs";
import * as path from "path";

export interface Command {
    readonly description: string;
    run(argv: string[]): Promise<number>;
}

const COMMANDS_DIR = path.join(__dirname, "commands");

function available(): string[] {
    return fs.readdirSync(COMMANDS_DIR)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => f.slice(0, -3))
        .sort();
}

function usage(): string {
    const lines = available().map((name) => {
        const cmd: Command = require(path.join(COMMANDS_DIR, name));
        return `  ${name.padEnd(10)} ${cmd.description}`;
    });
    return ["usage: mdetect <command> [options]", "", "commands:", ...lines].join("\n");
}

export async function main(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (!name || name === "--help" || name === "-h" || name === "help") {
        console.log(usage());
        return name ? 0 : 2;
    }
    if (!available().includes(name)) {
        console.error(`mdetect: unknown command '${name}'\n\n${usage()}`);
        return 2;
    }
    const cmd: Command = require(path.join(COMMANDS_DIR, name));
    // The mock runtime also rejects the root Stack's own promise with the program's error; without
    // a handler Node prints that a second time with its stack trace. Report each error once.
    const reported = new Set<unknown>();
    const report = (err: unknown): void => {
        if (reported.has(err)) return;
        reported.add(err);
        console.error(`mdetect ${name}: ${oneLine(err)}`);
        if (process.env.MDETECT_DEBUG && err instanceof Error) console.error(err.stack);
    };
    process.on("unhandledRejection", (err) => { report(err); process.exitCode ||= 1; });
    try {
        return await cmd.run(rest);
    } catch (err) {
        report(err);
        return 1;
    }
}

/** Users get one line, never a stack trace (MDETECT_DEBUG=1 adds it for developers). */
export function oneLine(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    return text.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}
