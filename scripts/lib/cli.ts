/**
 * The CLI's commander conventions. A command module exports `command(): Command`; its action
 * resolves to the exit code (0 ok, 1 failure, 2 usage) through `action()`. Usage errors that
 * commander itself finds (unknown option, missing argument) also exit 2 and name the command's usage.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";

export { Command, Option, InvalidArgumentError } from "commander";

export interface CommandModule {
    command(): Command;
}

/** The older shape (`description` + `run(argv)`), still accepted so a command written against it keeps working. */
export interface LegacyCommandModule {
    readonly description: string;
    run(argv: string[]): Promise<number>;
}

export const USAGE_ERROR = 2;

const exitCodes = new WeakMap<Command, number>();

function root(cmd: Command): Command {
    let c = cmd;
    while (c.parent) c = c.parent;
    return c;
}

/** Sets the command's action; the number it resolves to becomes `main`'s exit code. */
export function action<A extends unknown[]>(cmd: Command, run: (...args: A) => Promise<number>): Command {
    return cmd.action(async (...args: unknown[]) => {
        exitCodes.set(root(cmd), await run(...(args as A)));
    });
}

/** Appends an Examples block to the command's --help. */
export function examples(cmd: Command, lines: string[]): Command {
    return cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}`);
}

/** A whole number >= min, for `.argParser()`. */
export function wholeNumber(min: number): (value: string) => number {
    return (value) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expects a whole number >= ${min}, got '${value}'`);
        return n;
    };
}

export function fromLegacy(name: string, mod: LegacyCommandModule): Command {
    const cmd = new Command(name).description(mod.description).helpOption(false)
        .allowUnknownOption().allowExcessArguments().argument("[args...]");
    return action(cmd, (args: string[]) => mod.run(args ?? []));
}

export function toCommand(name: string, mod: CommandModule | LegacyCommandModule): Command {
    return "command" in mod ? mod.command() : fromLegacy(name, mod);
}

/** Applies the CLI's settings to a command and its subcommands (commander's addCommand copies none). */
export function configure(cmd: Command): Command {
    const chain: string[] = [];
    for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c.name());
    const name = chain.join(" ");
    cmd.exitOverride().showSuggestionAfterError();
    if (cmd.parent) cmd.showHelpAfterError(`usage: ${name} ${cmd.usage()}\n(run '${name} --help' for its options and examples)`);
    for (const sub of cmd.commands) configure(sub);
    return cmd;
}

/** Parses argv with `program`; the exit code of the action, or commander's (help 0, usage error 2). */
export async function parse(program: Command, argv: string[]): Promise<number> {
    try {
        await program.parseAsync(argv, { from: "user" });
        return exitCodes.get(program) ?? 0;
    } catch (err) {
        if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_ERROR;
        throw err;
    }
}
