/**
 * `mdetect <command> [options]`: one entry point for the offline plan, conversion, registry,
 * policy and cost tools, parsed with commander (`mdetect <command> --help` for each). Each command
 * lives in scripts/commands/<name>.ts and exports `command(): Command` (scripts/lib/cli.ts); the
 * older `description` + `run(argv)` shape is still accepted.
 */
import { Command } from "commander";
import { CommandModule, LegacyCommandModule, configure, parse, toCommand } from "./lib/cli";

/** One line per command, loaded only when used (or for the command list). */
const COMMANDS: Record<string, () => CommandModule | LegacyCommandModule> = {
    bench: () => require("./commands/bench"),
    bootstrap: () => require("./commands/bootstrap"),
    convert: () => require("./commands/convert"),
    cost: () => require("./commands/cost"),
    db: () => require("./commands/db"),
    detector: () => require("./commands/detector"),
    diagram: () => require("./commands/diagram"),
    local: () => require("./commands/local"),
    model: () => require("./commands/model"),
    policy: () => require("./commands/policy"),
    preview: () => require("./commands/preview"),
    registry: () => require("./commands/registry"),
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

function program(names: string[]): Command {
    const cli = new Command("mdetect")
        .usage("<command> [options]")
        .description("mDetect pipeline tools: offline plan, telemetry conversion, registry, policy pack, cost model")
        .addHelpCommand(true)
        .addHelpText("after", "\nRun 'mdetect <command> --help' for a command's options and examples.")
        .showHelpAfterError("(run 'mdetect --help' for the commands)");
    for (const name of names) cli.addCommand(toCommand(name, COMMANDS[name]()));
    return configure(cli);
}

/** How the latest `main` reports an error that arrives after it returned (one listener however often `main` runs in a process). */
let reportLate: (err: unknown) => void = () => undefined;
function onUnhandledRejection(err: unknown): void {
    reportLate(err);
    process.exitCode ||= 1;
}

export async function main(argv: string[]): Promise<number> {
    const [name] = argv;
    // Only the named command is loaded; help, an unknown command or none at all lists every one.
    const known = Object.prototype.hasOwnProperty.call(COMMANDS, name);
    if (!name) {
        program(COMMAND_NAMES).outputHelp({ error: true });
        return 2;
    }
    // The mock runtime also rejects the root Stack's own promise with the program's error; without
    // a handler Node prints that a second time with its stack trace. Report each error once.
    const reported = new Set<unknown>();
    const report = (err: unknown): void => {
        if (reported.has(err)) return;
        reported.add(err);
        console.error(`mdetect ${name}: ${oneLine(err)}`);
        if (process.env.MDETECT_DEBUG && err instanceof Error) console.error(err.stack);
    };
    reportLate = report;
    if (!process.listeners("unhandledRejection").includes(onUnhandledRejection)) process.on("unhandledRejection", onUnhandledRejection);
    try {
        return await parse(program(known ? [name] : COMMAND_NAMES), argv);
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
