import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ClosureCache } from "../../scripts/lib/closure-cache";
import { lastCacheStats, ProgramRun, PROJECT_DIR, RunOptions } from "../../scripts/lib/mock-run";
import { loadProject } from "../../scripts/lib/project";
import { ofType, program, programWith } from "../helpers/program";
import { EVERY_KEY_CHANGED } from "./every-key-changed";

const FUNCTION = "aws:lambda/function:Function";

/**
 * A project in a temporary directory with one module whose value a closure captures, a file it
 * reads and a directory it lists: each can be changed to prove the cache notices.
 */
function project() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-closure-cache-"));
    const files = {
        module: path.join(root, "limits.js"),
        data: path.join(root, "data.txt"),
        listed: path.join(root, "migrations"),
        lock: path.join(root, "package-lock.json"),
    };
    fs.writeFileSync(files.module, "exports.limit = 5;\n");
    fs.writeFileSync(files.data, "first");
    fs.mkdirSync(files.listed);
    fs.writeFileSync(path.join(files.listed, "0001.sql"), "");
    fs.writeFileSync(files.lock, "{}");
    const cacheDir = path.join(root, ".cache");
    return { root, files, cacheDir };
}

/**
 * What CallbackFunction does: serialize the callback, then (same synchronous constructor)
 * construct its Function, here named `name`. The callback captures the module's value, the
 * file's content and the listing, all read now, as a program reads config and migrations.
 */
async function serializeLike(cache: ClosureCache, root: string, name: string): Promise<string> {
    const file = path.join(root, "limits.js");
    delete require.cache[require.resolve(file)];
    const limits = require(file);
    const data = fs.readFileSync(path.join(root, "data.txt"), "utf8");
    const listed = fs.readdirSync(path.join(root, "migrations"));
    const callback = () => [limits.limit, data, listed];
    const serialized = pulumi.runtime.serializeFunction(callback, { exportName: "handler" });
    cache.resourceConstructed(FUNCTION, name);
    return (await serialized).text;
}

async function once(root: string, cacheDir: string, runKey: unknown = "dev", name = "fn"): Promise<{ text: string; hits: number; misses: number }> {
    const cache = new ClosureCache({ root, dir: cacheDir, runKey });
    const text = await cache.around(() => serializeLike(cache, root, name));
    return { text, ...cache.stats };
}

describe("scripts: the closure cache (mock runs reuse serialized Lambdas while their inputs are unchanged)", () => {
    it("a second run with the same inputs is a hit with the same text; a changed module, read file, listing, lockfile or run key is a miss with the new content", async () => {
        const { root, files, cacheDir } = project();
        try {
            const first = await once(root, cacheDir);
            expect(first).to.include({ hits: 0, misses: 1 });
            expect(first.text).to.include("limit: 5").and.include("first");
            expect(await once(root, cacheDir)).to.deep.equal({ ...first, hits: 1, misses: 0 });

            fs.writeFileSync(files.module, "exports.limit = 6;\n");
            const moduleChanged = await once(root, cacheDir);
            expect(moduleChanged).to.include({ hits: 0, misses: 1 });
            expect(moduleChanged.text, "the captured module's new value, not the cached one").to.include("limit: 6");

            fs.writeFileSync(files.data, "second");
            const dataChanged = await once(root, cacheDir);
            expect(dataChanged).to.include({ misses: 1 });
            expect(dataChanged.text).to.include("second").and.not.include("first");

            fs.writeFileSync(path.join(files.listed, "0002.sql"), "");
            const listingChanged = await once(root, cacheDir);
            expect(listingChanged).to.include({ misses: 1 });
            expect(listingChanged.text).to.include("0002.sql");

            fs.writeFileSync(files.lock, "{\"lockfileVersion\":3}");
            expect(await once(root, cacheDir), "package-lock.json changed").to.include({ hits: 0, misses: 1 });
            expect(await once(root, cacheDir), "and unchanged since").to.include({ hits: 1, misses: 0 });

            expect(await once(root, cacheDir, "prod"), "another run key (another project)").to.include({ hits: 0, misses: 1 });
            expect(await once(root, cacheDir, "dev", "other-fn"), "another Lambda").to.include({ hits: 0, misses: 1 });
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("a closure that captured a secret is never written to disk", async () => {
        const { root, cacheDir } = project();
        try {
            const cache = new ClosureCache({ root, dir: cacheDir, runKey: "dev" });
            const secret = pulumi.secret("hunter2");
            const text = await cache.around(async () => {
                const serialized = pulumi.runtime.serializeFunction(() => secret, { exportName: "handler", allowSecrets: true });
                cache.resourceConstructed(FUNCTION, "fn");
                return (await serialized).text;
            });
            expect(text).to.include("hunter2");
            expect(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []).to.deep.equal([]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("an unreadable entry (a crash mid-write) is recomputed, not trusted", async () => {
        const { root, cacheDir } = project();
        try {
            const first = await once(root, cacheDir);
            for (const entry of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, entry), "{\"format\":1,\"depend");
            expect(await once(root, cacheDir)).to.deep.equal({ ...first, hits: 0, misses: 1 });
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    /**
     * The key leaves the stack and its config out, which is right only while no callback captures a
     * configuration value (configuration reaches a function through its environment variables).
     * One cold run, the prod stack with every project key changed on an empty cache of its own,
     * serializes every Lambda with pulumi's own serializer; each Lambda the dev stack with its
     * defaults declares must have the same text there as in the suite's shared dev run. (That run's
     * Lambdas come from the project's cache, which some cold run with another configuration than
     * this one filled: no other test uses EVERY_KEY_CHANGED. A second cold serialization here, of dev
     * alone, would cost a worker about 20 s for the same comparison.)
     */
    describe("the whole program", () => {
        let cacheDir: string;
        before(() => { cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-closure-cache-run-")); });
        after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
        const zipsOf = async (run: ProgramRun) => {
            const fns = ofType(run, FUNCTION);
            const contents = await Promise.all(fns.map(async (fn) => {
                const assets = await fn.inputs.code.assets;
                return [fn.name, await assets["__index.js"].text, Object.keys(assets).sort()] as const;
            }));
            // Registration order follows when each closure resolves; compare Lambda by name.
            contents.sort(([a], [b]) => a.localeCompare(b));
            return { contents, count: fns.length, config: run.config };
        };
        const zips = async (options: RunOptions) => {
            const run = await programWith({ ...options, closureCache: cacheDir });
            return { stats: { hits: 0, misses: 0, ...lastCacheStats }, ...await zipsOf(run) };
        };
        const changed = { stack: "prod", config: EVERY_KEY_CHANGED };
        type Zips = Awaited<ReturnType<typeof zips>>;
        let cold: Zips;
        let devRun: ReturnType<typeof zipsOf> | undefined;
        /** The suite's shared dev run, its Lambdas read once. */
        const sharedDev = () => (devRun ??= program().then(zipsOf));

        it("cold: every closure comes from pulumi's own serializer (each Lambda a miss), the package walks shared", async () => {
            cold = await zips(changed);
            expect(cold.count).to.be.greaterThan(5);
            expect(cold.stats.misses, "a cold cache serializes every Lambda").to.be.at.least(cold.count + 1);
            expect(cold.stats.hits + cold.stats.misses, "each Lambda: its closure and its package list").to.equal(2 * cold.count);
        });

        it("warm: every Lambda a hit, and each gets its own closure and package list back", async () => {
            const warm = await zips(changed);
            expect(warm.stats).to.deep.equal({ hits: 2 * cold.count, misses: 0 });
            expect(warm.contents).to.deep.equal(cold.contents);
        });

        it("no Lambda's serialized code depends on the config: each Lambda dev declares has dev's text in prod with every key changed, serialized cold", async () => {
            const dev = await sharedDev();
            const keys = Object.keys(loadProject(PROJECT_DIR).config ?? {});
            expect(Object.keys(EVERY_KEY_CHANGED).filter((k) => k !== "aws:region")).to.have.members(keys);
            const same = Object.entries(EVERY_KEY_CHANGED).filter(([k, v]) => JSON.stringify(dev.config[k]) === JSON.stringify(v)).map(([k]) => k);
            expect(same, "keys the change leaves as dev has them").to.deep.equal([]);
            expect(cold.config).to.include({ "mdetect:detectorCount": 20000, "aws:region": "us-east-1" });
            expect(cold.count, "the model adds the inference Lambda").to.be.greaterThan(dev.count);
            const changedText = new Map(cold.contents.map(([name, text]) => [name, text]));
            const differ = dev.contents.filter(([name, text]) => changedText.get(name) !== text).map(([name]) => name);
            expect(differ, "Lambdas missing from the changed run or whose code captured a configuration value").to.deep.equal([]);
        });

        it("another stack and configuration on that cache: every Lambda both declare is a hit (closure and package list), and is what the serializer gives", async () => {
            const dev = await sharedDev();
            const other = await zips({ stack: "dev", config: {} });
            expect(other.count).to.equal(dev.count);
            expect(other.stats).to.deep.equal({ hits: 2 * dev.count, misses: 0 });
            expect(other.contents).to.deep.equal(dev.contents);
        });
    });
});
