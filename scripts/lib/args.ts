/**
 * Minimal, strict option parsing for the CLI on top of node:util parseArgs: unknown options
 * are errors that name the option, never silently ignored.
 */
import { parseArgs as nodeParseArgs } from "util";

export type OptionKind = "string" | "boolean" | "number" | "optional-string";

export interface ParsedArgs {
    readonly positionals: string[];
    readonly [option: string]: unknown;
}

export function parseArgs(argv: string[], spec: Record<string, OptionKind>): ParsedArgs {
    // `--json` alone and `--json FILE` are both allowed for optional-string options.
    const normalized: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const name = argv[i].startsWith("--") ? argv[i].slice(2) : undefined;
        if (name && spec[name] === "optional-string" && (i + 1 >= argv.length || argv[i + 1].startsWith("--"))) {
            normalized.push(`--${name}=`);
        } else {
            normalized.push(argv[i]);
        }
    }
    const options = Object.fromEntries(Object.entries(spec).map(([name, kind]) => [name, { type: kind === "boolean" ? "boolean" as const : "string" as const }]));
    const { values, positionals } = nodeParseArgs({ args: normalized, options, allowPositionals: true, strict: true });
    const result: Record<string, unknown> = { positionals };
    for (const [name, kind] of Object.entries(spec)) {
        const value = (values as Record<string, unknown>)[name];
        if (value === undefined) continue;
        if (kind === "number") {
            const n = Number(value);
            if (!Number.isFinite(n)) throw new Error(`--${name} expects a number, got '${value}'`);
            result[name] = n;
        } else {
            result[name] = value;
        }
    }
    return result as ParsedArgs;
}
