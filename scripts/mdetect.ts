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
    convert: () => require("./commands/convert"),
    cost: () => require("./commands/cost"),
    db: () => require("./commands/db"),
    detector: () => require("./commands/detector"),
    diagram: () => require("./commands/diagram"),
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

export async function main(argv: string[]): Promise<number> {
    const [name] = argv;
    // Only the named command is loaded; help, an unknown command or none at all lists every one.
    const known = Object.prototype.hasOwnProperty.call(COMMANDS, name);
    if (!name) {
        program(COMMAND_NAMES).outputHelp({ error: true });
        return 2;
    }
    try {
        return await parse(program(known ? [name] : COMMAND_NAMES), argv);
    } catch (err) {
        console.error(`mdetect ${name}: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
    }
}
