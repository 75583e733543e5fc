/**
 * The closure cache (scripts/lib/closure-cache.ts) leaves the stack and its config out of its key,
 * so every configuration after the first reuses the serialized Lambdas. That is right only while
 * no callback captures a configuration value: configuration reaches a function through its
 * environment variables. This checks the rule with the real serializer and no cache: the dev
 * stack with its defaults and the prod stack with every project key changed give every Lambda
 * the same serialized text.
 */
import { expect } from "chai";
import { loadProject } from "../../scripts/lib/project";
import { PROJECT_DIR, ProgramRun } from "../../scripts/lib/mock-run";
import { ofType, programWith } from "../helpers/program";
import { EVERY_KEY_CHANGED } from "./every-key-changed";

async function serializedTexts(run: ProgramRun): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    for (const fn of ofType(run, "aws:lambda/function:Function")) {
        const assets = await fn.inputs.code.assets;
        texts.set(fn.name, await assets["__index.js"].text);
    }
    return texts;
}

describe("scripts: no Lambda's serialized code depends on the stack or its config (why the closure cache may leave them out of its key)", () => {
    let dev: ProgramRun;
    let changed: ProgramRun;
    before(async () => {
        dev = await programWith({ stack: "dev", closureCache: false });
        changed = await programWith({ stack: "prod", config: EVERY_KEY_CHANGED, closureCache: false });
    });

    it("the changed configuration names every key of the project, each with another value than dev's", () => {
        const keys = Object.keys(loadProject(PROJECT_DIR).config ?? {});
        expect(Object.keys(EVERY_KEY_CHANGED).filter((k) => k !== "aws:region")).to.have.members(keys);
        const same = Object.entries(EVERY_KEY_CHANGED).filter(([k, v]) => JSON.stringify(dev.config[k]) === JSON.stringify(v)).map(([k]) => k);
        expect(same, "keys the change leaves as dev has them").to.deep.equal([]);
        expect(changed.config).to.include({ "mdetect:detectorCount": 20000, "aws:region": "us-east-1" });
    });

    it("every Lambda both runs declare has the same serialized text in both", async () => {
        const [a, b] = await Promise.all([serializedTexts(dev), serializedTexts(changed)]);
        const both = [...a.keys()].filter((name) => b.has(name));
        expect(both.length, "Lambdas declared by both runs").to.be.at.least(a.size);
        const differ = both.filter((name) => a.get(name) !== b.get(name));
        expect(differ, "Lambdas whose code captured a configuration value").to.deep.equal([]);
    });
});
