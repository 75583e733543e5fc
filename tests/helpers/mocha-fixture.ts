import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

/** Mocha with the project's .mocharc.json (and so its root hooks) on one fixture file under tests/fixtures/. */
export function mochaOn(fixture: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
    const started = Date.now();
    const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"), ...args, path.join("tests", "fixtures", fixture)], {
        cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env },
    });
    return { ...run, seconds: (Date.now() - started) / 1000 };
}
