/**
 * One uncached program run in a process of its own, for closure-config.test.ts: prints
 * `{ config, texts }` (the resolved config and each Lambda's serialized __index.js) as JSON.
 * The mock runtime is global, so two runs in one process take turns; as two processes, the test's
 * two configurations serialize side by side on the machine's 2 cores.
 *
 * Usage: tsx tests/scripts/serialized-texts.ts '{"stack":"prod","config":{...}}'
 */
import { runProgram } from "../../scripts/lib/mock-run";

export interface SerializedTexts {
    readonly config: Record<string, unknown>;
    /** Lambda resource name -> its serialized __index.js. */
    readonly texts: Record<string, string>;
}

async function main(): Promise<void> {
    const { stack, config } = JSON.parse(process.argv[2]) as { stack: string; config?: Record<string, unknown> };
    const run = await runProgram({ stack, config, closureCache: false });
    const texts: Record<string, string> = {};
    for (const fn of run.resources.filter((r) => r.type === "aws:lambda/function:Function")) {
        const assets = await fn.inputs.code.assets;
        texts[fn.name] = await assets["__index.js"].text;
    }
    process.stdout.write(JSON.stringify({ config: run.config, texts } satisfies SerializedTexts));
}

main().catch((err: Error) => {
    console.error(`serialized-texts: ${err.stack ?? err.message}`);
    process.exit(1);
});
