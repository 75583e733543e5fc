/**
 * Reading a secret: on a terminal a prompt on stderr whose typing is not echoed; otherwise the next
 * line of stdin (so scripts and tests can pipe "password\ncode\n").
 */
import * as readline from "readline";

let piped: AsyncIterator<string> | undefined;

export async function readSecret(prompt: string): Promise<string> {
    if (!process.stdin.isTTY) {
        piped ??= readline.createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
        const next = await piped.next();
        if (next.done) throw new Error(`no input for '${prompt.replace(/:\s*$/, "")}' on stdin`);
        return next.value;
    }
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const muted = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(prompt);
    muted._writeToOutput = () => undefined;
    try {
        return await new Promise<string>((resolve) => rl.question("", resolve));
    } finally {
        rl.close();
        process.stderr.write("\n");
    }
}
