/**
 * On-disk cache of the two slow steps of every CallbackFunction in a mock run: closure
 * serialization (`pulumi.runtime.serializeFunction`, ~0.3 s a Lambda through the V8 inspector)
 * and the package walk for the zip (`pulumi.runtime.computeCodePaths`, an npm Arborist load of
 * node_modules per Lambda). A run with unchanged inputs reuses both, so repeated `npm start`s,
 * the CLI-spawning tests and every configuration after the first in one process skip them.
 *
 * Correctness rests on what a result depends on, recorded with it (a depfile, as make and
 * ccache keep) and checked on every hit:
 * - the key: cache format, Node version, the project, the Lambda's resource name, the callback's
 *   source text and the serializer's arguments. Not the stack or its config: the program's
 *   callbacks read configuration from their environment variables only, so their serialized text
 *   is the same for every stack and configuration (tests/scripts/closure-cache.test.ts checks
 *   this with the real serializer on an empty cache), and every configuration after the first reuses
 *   the entries;
 * - the dependencies: the content of every repository module loaded, and of every file outside
 *   node_modules read with fs.readFileSync/readdirSync during the run (a directory by its
 *   listing), up to the moment the closure was serialized - a closure can only capture values of code already loaded - plus package.json
 *   and both lockfiles (the packages a closure `require`s, and the zip's package list).
 * A result that captured a secret is never written: the serialized text would hold it in plain.
 */
import { createHash } from "crypto";
// The module object itself (not an import namespace) so its readers can be observed during a run.
import fs = require("fs");
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/** Bumped when the entry layout or what a key covers changes: old entries stop matching. */
const FORMAT = 2;
const FUNCTION_TYPE = "aws:lambda/function:Function";

type SerializeFunction = typeof pulumi.runtime.serializeFunction;
type ComputeCodePaths = typeof pulumi.runtime.computeCodePaths;
type SerializedFunction = Awaited<ReturnType<SerializeFunction>>;

/** `file` -> sha256 of its content, `dir:<path>` -> sha256 of its sorted listing, `missing` when absent. */
type Dependencies = Record<string, string>;

interface Entry<T> {
    readonly format: number;
    readonly dependencies: Dependencies;
    readonly value: T;
}

/** One code path of a Lambda zip: a package directory (FileArchive) or a single file (FileAsset). */
type CodePath = [file: string, kind: "dir" | "file"];

export interface ClosureCacheOptions {
    /** Repository root: its modules (outside node_modules) are dependencies of every closure. */
    readonly root: string;
    /** Where entries are kept. */
    readonly dir: string;
    /** What identifies this run besides each Lambda's own name and source (the project). */
    readonly runKey: unknown;
}

export interface CacheStats {
    hits: number;
    misses: number;
}

/** Computations under way in this process by entry file: Lambdas with the same package options share one walk. */
const inFlight = new Map<string, Promise<unknown>>();

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const realReadFileSync = fs.readFileSync;
const realReaddirSync = fs.readdirSync;

const outsidePackages = (file: string): boolean => !file.split(path.sep).includes("node_modules");

/**
 * tsx's compile cache (os.tmpdir()/tsx-<uid>): written on a module's first compile, so its reads
 * would invalidate the entry they belong to; it is a content-addressed copy of modules tracked anyway.
 */
const compileCache = (file: string): boolean => /^tsx-/.test(path.relative(os.tmpdir(), file).split(path.sep)[0] ?? "");

/** Modules of the repository (not its packages): the code a closure's content can come from. */
function repositoryModule(root: string, file: string): boolean {
    const rel = path.relative(root, file);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) && outsidePackages(rel);
}

function fingerprint(entry: string): string {
    try {
        if (entry.startsWith("dir:")) return sha256(JSON.stringify(realReaddirSync(entry.slice(4)).map(String).sort()));
        return sha256(realReadFileSync(entry));
    } catch {
        return "missing";
    }
}

export class ClosureCache {
    readonly stats: CacheStats = { hits: 0, misses: 0 };
    /** Fingerprints taken during this run (files do not change while the program runs). */
    private readonly fingerprints = new Map<string, string>();
    private readonly reads = new Set<string>();
    /** The serialization the CallbackFunction being constructed asked for, named by its Function's transformation. */
    private pending?: { name?: string };
    private readonly restore: (() => void)[] = [];

    constructor(private readonly options: ClosureCacheOptions) {}

    /** Patches the runtime's serializer and package walk for the duration of `body` (one program run). */
    async around<T>(body: () => Promise<T>): Promise<T> {
        this.install();
        try {
            return await body();
        } finally {
            for (const undo of this.restore.splice(0).reverse()) undo();
        }
    }

    /**
     * Called from the run's stack transformation. CallbackFunction serializes its callback and then,
     * in the same synchronous constructor, constructs its Function: that Function's name is the
     * serialization's name.
     */
    resourceConstructed(type: string, name: string): void {
        if (type === FUNCTION_TYPE && this.pending) {
            this.pending.name = name;
            this.pending = undefined;
        }
    }

    private install(): void {
        const runtime = pulumi.runtime as { serializeFunction: SerializeFunction; computeCodePaths: ComputeCodePaths };
        const serialize = runtime.serializeFunction;
        const codePaths = runtime.computeCodePaths;
        runtime.serializeFunction = (func, args = {}) => this.serialize(serialize, func, args);
        runtime.computeCodePaths = ((opts: pulumi.runtime.CodePathOptions = {}) => this.codePaths(codePaths, opts)) as ComputeCodePaths;
        const reads = this.reads;
        const record = (p: fs.PathOrFileDescriptor | fs.PathLike, prefix = ""): void => {
            if (typeof p === "string" || p instanceof URL) {
                const file = path.resolve(typeof p === "string" ? p : p.pathname);
                // Anywhere outside packages: a stack may name a file elsewhere (a local model artifact).
                if (outsidePackages(file) && !compileCache(file)) reads.add(prefix + file);
            }
        };
        (fs as Record<string, unknown>).readFileSync = function (this: unknown, p: fs.PathOrFileDescriptor, ...rest: unknown[]) {
            record(p);
            return (realReadFileSync as any).call(this, p, ...rest);
        };
        (fs as Record<string, unknown>).readdirSync = function (this: unknown, p: fs.PathLike, ...rest: unknown[]) {
            record(p, "dir:");
            return (realReaddirSync as any).call(this, p, ...rest);
        };
        this.restore.push(() => {
            runtime.serializeFunction = serialize;
            runtime.computeCodePaths = codePaths;
            (fs as Record<string, unknown>).readFileSync = realReadFileSync;
            (fs as Record<string, unknown>).readdirSync = realReaddirSync;
        });
    }

    private serialize(real: SerializeFunction, func: Function, args: pulumi.runtime.SerializeFunctionArgs): Promise<SerializedFunction> {
        const request: { name?: string } = {};
        this.pending = request;
        return (async () => {
            // The constructor that called us runs to its end first, naming the request.
            await Promise.resolve();
            if (this.pending === request) this.pending = undefined;
            if (request.name === undefined) return real(func, args);
            const { serialize, logResource: _ignored, ...plain } = args;
            const key = ["serializeFunction", this.options.runKey, request.name, func.toString(), plain, serialize?.toString()];
            return this.cached(key, () => real(func, args), (result) => !result.containsSecrets);
        })();
    }

    private async codePaths(real: ComputeCodePaths, opts: pulumi.runtime.CodePathOptions): Promise<Map<string, pulumi.asset.Asset | pulumi.asset.Archive>> {
        const { logResource: _ignored, ...plain } = opts;
        // Relative to the working directory (pulumi makes them so for the zip), hence cwd in the key.
        const key = ["computeCodePaths", process.cwd(), plain];
        const paths = await this.cached<CodePath[]>(key, async () => {
            const found = await real(opts);
            return [...found].map(([file, asset]) => [file, asset instanceof pulumi.asset.FileArchive ? "dir" : "file"] as CodePath);
        }, () => true, ["package.json", "package-lock.json", path.join("node_modules", ".package-lock.json")]);
        return new Map(paths.map(([file, kind]) => [file, kind === "dir" ? new pulumi.asset.FileArchive(file) : new pulumi.asset.FileAsset(file)]));
    }

    /**
     * The entry for `key` if every dependency it recorded is unchanged, else `compute()`'s result,
     * written with the dependencies as they are now (when `keep` allows).
     * `only`: a fixed dependency list (repository-relative) instead of everything loaded so far.
     */
    private async cached<T>(key: unknown[], compute: () => Promise<T>, keep: (value: T) => boolean, only?: string[]): Promise<T> {
        const file = path.join(this.options.dir, `${sha256(JSON.stringify([FORMAT, process.version, ...key]))}.json`);
        const entry = this.read<T>(file);
        if (entry && Object.entries(entry.dependencies).every(([dep, print]) => this.fingerprint(dep) === print)) {
            this.stats.hits++;
            return entry.value;
        }
        const running = inFlight.get(file) as Promise<T> | undefined;
        if (running) {
            this.stats.hits++;
            return running;
        }
        this.stats.misses++;
        const computing = compute().then((value) => {
            if (keep(value)) this.write(file, { format: FORMAT, dependencies: this.dependencies(only), value });
            return value;
        });
        inFlight.set(file, computing);
        try {
            return await computing;
        } finally {
            inFlight.delete(file);
        }
    }

    private dependencies(only?: string[]): Dependencies {
        const root = this.options.root;
        const fixed = ["package.json", "package-lock.json", path.join("node_modules", ".package-lock.json")].map((f) => path.join(root, f));
        const all = only
            ? only.map((f) => path.join(root, f))
            : [...fixed, ...Object.keys(require.cache).filter((f) => repositoryModule(root, f)), ...this.reads];
        return Object.fromEntries([...new Set(all)].sort().map((dep) => [dep, this.fingerprint(dep)]));
    }

    private fingerprint(dep: string): string {
        let print = this.fingerprints.get(dep);
        if (print === undefined) {
            print = fingerprint(dep);
            this.fingerprints.set(dep, print);
        }
        return print;
    }

    private read<T>(file: string): Entry<T> | undefined {
        try {
            const entry = JSON.parse(realReadFileSync(file, "utf8")) as Entry<T>;
            return entry.format === FORMAT ? entry : undefined;
        } catch {
            return undefined; // absent, or cut short by a crash: computed again
        }
    }

    private write(file: string, entry: Entry<unknown>): void {
        try {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            // Concurrent runs (test processes, CLI spawns) each write whole files: rename is atomic.
            const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
            fs.writeFileSync(temp, JSON.stringify(entry));
            fs.renameSync(temp, file);
        } catch {
            // A read-only or full disk costs speed, not correctness.
        }
    }
}
