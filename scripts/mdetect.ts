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
    try {
        return await cmd.run(rest);
    } catch (err) {
        console.error(`mdetect ${name}: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
    }
}
