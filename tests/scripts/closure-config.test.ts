/**
 * The closure cache (scripts/lib/closure-cache.ts) leaves the stack and its config out of its key,
 * so every configuration after the first reuses the serialized Lambdas. That is right only while
 * no callback captures a configuration value: configuration reaches a function through its
 * environment variables. This checks the rule with the real serializer and no cache: the dev
 * stack with its defaults and the prod stack with every project key changed give every Lambda
 * the same serialized text.
 */
import { expect } from "chai";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { loadProject } from "../../scripts/lib/project";
import { PROJECT_DIR, ROOT } from "../../scripts/lib/mock-run";
import { allowTime } from "../helpers/current-test";
import { PROGRAM_RUN_TIMEOUT_MS } from "../helpers/program";
import { EVERY_KEY_CHANGED } from "./every-key-changed";
import type { SerializedTexts } from "./serialized-texts";

/** One uncached run in a child process (./serialized-texts.ts), so the two configurations run side by side. */
async function serializedTexts(stack: string, config: Record<string, unknown> = {}): Promise<SerializedTexts> {
    const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, path.join(__dirname, "serialized-texts.ts"), JSON.stringify({ stack, config })],
        { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, timeout: PROGRAM_RUN_TIMEOUT_MS });
    return JSON.parse(stdout) as SerializedTexts;
}

describe("scripts: no Lambda's serialized code depends on the stack or its config (why the closure cache may leave them out of its key)", () => {
    let dev: SerializedTexts;
    let changed: SerializedTexts;
    before(async () => {
        allowTime(PROGRAM_RUN_TIMEOUT_MS);
        [dev, changed] = await Promise.all([serializedTexts("dev"), serializedTexts("prod", EVERY_KEY_CHANGED)]);
    });

    it("the changed configuration names every key of the project, each with another value than dev's", () => {
        const keys = Object.keys(loadProject(PROJECT_DIR).config ?? {});
        expect(Object.keys(EVERY_KEY_CHANGED).filter((k) => k !== "aws:region")).to.have.members(keys);
        const same = Object.entries(EVERY_KEY_CHANGED).filter(([k, v]) => JSON.stringify(dev.config[k]) === JSON.stringify(v)).map(([k]) => k);
        expect(same, "keys the change leaves as dev has them").to.deep.equal([]);
        expect(changed.config).to.include({ "mdetect:detectorCount": 20000, "aws:region": "us-east-1" });
    });

    it("every Lambda both runs declare has the same serialized text in both", () => {
        const [a, b] = [dev.texts, changed.texts];
        const both = Object.keys(a).filter((name) => name in b);
        expect(both.length, "Lambdas declared by both runs").to.be.at.least(Object.keys(a).length).and.greaterThan(0);
        const differ = both.filter((name) => a[name] !== b[name]);
        expect(differ, "Lambdas whose code captured a configuration value").to.deep.equal([]);
    });
});
