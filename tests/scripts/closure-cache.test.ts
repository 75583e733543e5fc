import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ClosureCache } from "../../scripts/lib/closure-cache";
import { lastCacheStats, RunOptions } from "../../scripts/lib/mock-run";
import { ofType, programWith } from "../helpers/program";
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

    describe("the whole program", () => {
        const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-closure-cache-run-"));
        after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
        const zips = async (options: RunOptions = {}) => {
            const run = await programWith({ ...options, closureCache: cacheDir });
            const stats = { hits: 0, misses: 0, ...lastCacheStats };
            const fns = ofType(run, FUNCTION);
            const contents = await Promise.all(fns.map(async (fn) => {
                const assets = await fn.inputs.code.assets;
                return [fn.name, await assets["__index.js"].text, Object.keys(assets).sort()] as const;
            }));
            // Registration order follows when each closure resolves; compare Lambda by name.
            contents.sort(([a], [b]) => a.localeCompare(b));
            return { stats, contents, count: fns.length };
        };
        let cold: Awaited<ReturnType<typeof zips>>;

        it("cold: every closure comes from pulumi's own serializer (each Lambda a miss), the package walks shared", async () => {
            cold = await zips();
            expect(cold.count).to.be.greaterThan(5);
            expect(cold.stats.misses, "a cold cache serializes every Lambda").to.be.at.least(cold.count + 1);
            expect(cold.stats.hits + cold.stats.misses, "each Lambda: its closure and its package list").to.equal(2 * cold.count);
        });

        it("warm: every Lambda a hit, and each gets its own closure and package list back", async () => {
            const warm = await zips();
            expect(warm.stats).to.deep.equal({ hits: 2 * cold.count, misses: 0 });
            expect(warm.contents).to.deep.equal(cold.contents);
        });

        it("another stack and configuration: every Lambda dev declares too is a hit (closure and package list), the rest are serialized", async () => {
            const other = await zips({ stack: "prod", config: EVERY_KEY_CHANGED });
            const devNames = new Set(cold.contents.map(([name]) => name));
            const shared = other.contents.filter(([name]) => devNames.has(name));
            expect(shared.length, "Lambdas both declare").to.equal(cold.count);
            expect(other.count, "the model adds the inference Lambda").to.be.greaterThan(cold.count);
            expect(other.stats.hits, "each shared Lambda's closure and package list").to.be.at.least(2 * shared.length);
            expect(other.stats.hits + other.stats.misses).to.equal(2 * other.count);
            expect(shared).to.deep.equal(cold.contents);
        });
    });
});
