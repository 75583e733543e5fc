/**
 * Runs the Pulumi program in-process under Pulumi's mock runtime, the way the CLI would run
 * it (inside a root Stack, with Pulumi.yaml loaded and its defaults merged under the stack's
 * config as the CLI does, refusing what the CLI refuses: ./project.ts), and
 * records every resource it declares. The offline plan, the offline policy run, the cost model
 * and the tests all read this record.
 */
import * as fs from "fs";
import * as path from "path";
import { findSourceMap } from "module";
import * as pulumi from "@pulumi/pulumi";
import { loadProject, loadStackConfig } from "./project";
import { fakeState, fakeCall, ACCOUNT_ID } from "./fake-cloud";
import { ClosureCache, CacheStats } from "./closure-cache";

export const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(ROOT, "infra", "index.ts");
/** Where Pulumi.yaml and the stack files are read; MDETECT_PROJECT_DIR points elsewhere (tests of bad stack files). */
export const PROJECT_DIR = process.env.MDETECT_PROJECT_DIR ?? ROOT;

export interface PlannedResource {
    readonly type: string;
    readonly name: string;
    /** `type::name` of the parent component, undefined for top-level resources. */
    readonly parent?: string;
    readonly custom: boolean;
    /** Inputs as the provider would receive them (Outputs resolved). */
    readonly inputs: Record<string, any>;
    /** State the fake cloud returned (inputs plus computed attributes). */
    readonly state: Record<string, any>;
    /** Where the program declares it: the innermost `new X(` call in infra/ (SARIF locations). */
    readonly source?: SourceLocation;
}

export interface SourceLocation {
    /** Repository-relative, forward slashes (`infra/lambda.ts`). */
    readonly file: string;
    readonly line: number;
}

const INFRA_DIR = path.join(ROOT, "infra") + path.sep;
/** Frames between a resource constructor and the stack transformation, inside @pulumi/pulumi. */
const DECLARATION_FRAMES = 60;

/** The raw call sites of the current stack: formatting `.stack` source-maps every frame, which cost a second a run. */
function callSites(): NodeJS.CallSite[] {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    Error.stackTraceLimit = DECLARATION_FRAMES;
    Error.prepareStackTrace = (_error, sites) => sites;
    try {
        const holder: { stack?: unknown } = {};
        Error.captureStackTrace(holder, callSites);
        return holder.stack as NodeJS.CallSite[];
    } finally {
        Error.stackTraceLimit = limit;
        Error.prepareStackTrace = prepare;
    }
}

/** The .ts line of a compiled frame (tsx registers each module's source map with Node). */
function sourceLine(file: string, site: NodeJS.CallSite): number {
    const line = site.getLineNumber() ?? 0;
    const entry = findSourceMap(file)?.findEntry(line - 1, (site.getColumnNumber() ?? 1) - 1) as { originalLine?: number } | undefined;
    return entry?.originalLine !== undefined ? entry.originalLine + 1 : line;
}

/**
 * The declaring call site of the resource being constructed: stack transformations run inside
 * the Resource constructor, so the innermost stack frame in infra/ (mapped to its .ts line) is
 * the `new X(` of this resource, or of the program's call that created it (awsx,
 * CallbackFunction children).
 */
function declaringCallSite(): SourceLocation | undefined {
    for (const site of callSites()) {
        const file = site.getFileName()?.replace(/^file:\/\//, "");
        if (!file || !file.startsWith(INFRA_DIR)) continue;
        const line = sourceLine(file, site);
        // A component's own `super(...)`: its declaration is the caller's `new`, further out.
        if (/\bsuper\s*\(/.test(sourceLines(file)[line - 1] ?? "")) continue;
        return { file: path.relative(ROOT, file).split(path.sep).join("/"), line };
    }
    return undefined;
}

const linesCache = new Map<string, string[]>();
function sourceLines(file: string): string[] {
    let lines = linesCache.get(file);
    if (!lines) {
        lines = fs.readFileSync(file, "utf8").split("\n");
        linesCache.set(file, lines);
    }
    return lines;
}

export interface ProgramRun {
    readonly project: string;
    readonly stack: string;
    /** Fully qualified config (`mdetect:detectorCount`) as the program saw it. */
    readonly config: Record<string, unknown>;
    readonly resources: PlannedResource[];
    readonly outputs: Record<string, unknown>;
}

export interface RunOptions {
    readonly stack?: string;
    /** Overrides applied on top of the stack file, fully qualified keys (`mdetect:detectorCount`). */
    readonly config?: Record<string, unknown>;
    /** Where serialized closures are cached (./closure-cache.ts), or false for none; default closureCacheDir(). */
    readonly closureCache?: string | false;
}

/**
 * Cached closures live with the packages they were built against (node_modules/.cache, the usual
 * place for tool caches); MDETECT_CLOSURE_CACHE names another directory, or `off` for none.
 */
export function closureCacheDir(env: NodeJS.ProcessEnv = process.env): string | false {
    const setting = env.MDETECT_CLOSURE_CACHE;
    if (setting === "off") return false;
    return setting ? path.resolve(setting) : path.join(ROOT, "node_modules", ".cache", "mdetect-closures");
}

/** Closure cache hits and misses of the last run (benchmarks and tests read them). */
export let lastCacheStats: CacheStats | undefined;

/**
 * Project defaults from Pulumi.yaml, then Pulumi.<stack>.yaml, then overrides: what `pulumi up`
 * sees, validated as the CLI validates it (scripts/lib/project.ts). Throws ProjectError.
 */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return loadStackConfig(loadProject(PROJECT_DIR), stack, overrides);
}

export function projectName(): string {
    return loadProject(PROJECT_DIR).name;
}

/**
 * The program's own modules: infra/ reads config at module load (nothing else does), so each run
 * loads them afresh and sees its own config. Everything else stays loaded, shared with the tests
 * that import it: a module loaded afresh would lose its state and its classes' identity (a test
 * file that mocha's parallel worker loads after a run would get a second tests/helpers/program.ts,
 * without the shared runs, and errors failing `instanceof` against the ones its fixtures import).
 */
const PROGRAM_DIR = path.dirname(PROGRAM) + path.sep;

function freshRequire(file: string): any {
    for (const key of Object.keys(require.cache)) {
        if (key.startsWith(PROGRAM_DIR)) delete require.cache[key];
    }
    return require(file);
}

let running = false;

/**
 * Stack text during a run. Pulumi stamps every promise (runtime/debuggable.js) and every resource
 * (Resource.callsites, at unlimited depth) with a bare `new Error().stack`, and with tsx's source
 * maps on Node maps each frame of each: half of a warm run's CPU (1.1 of 2.3 s). The mock engine
 * drops those positions (the plan's own come from declaringCallSite, which maps the one frame it
 * keeps), so a bare Error's stack is its header alone; an error with a message keeps its frames,
 * as V8 formats them without source maps.
 */
function runStack(error: Error, sites: NodeJS.CallSite[]): string {
    const header = Error.prototype.toString.call(error);
    if (error.constructor === Error && error.message === "") return header;
    return `${header}${sites.map((site) => `\n    at ${site}`).join("")}`;
}

/** Runs infra/index.ts under mocks and returns what it declared. Runs do not overlap. */
export async function runProgram(options: RunOptions = {}): Promise<ProgramRun> {
    if (running) throw new Error("runProgram: a run is already in progress (the mock runtime is global)");
    running = true;
    const prepareStackTrace = Error.prepareStackTrace;
    Error.prepareStackTrace = runStack;
    try {
        const stack = options.stack ?? "dev";
        const project = projectName();
        const config = stackConfig(stack, options.config);
        const region = String(config["aws:region"] ?? "ap-southeast-2");
        const records: Omit<PlannedResource, "parent" | "source">[] = [];
        const parents = new Map<string, string>();
        const sources = new Map<string, SourceLocation>();
        const cacheDir = options.closureCache ?? closureCacheDir();
        const cache = cacheDir === false ? undefined : new ClosureCache({ root: ROOT, dir: cacheDir, runKey: [PROJECT_DIR, project] });
        lastCacheStats = cache?.stats;

        pulumi.runtime.setAllConfig(Object.fromEntries(
            Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        ));
        await pulumi.runtime.setMocks({
            newResource(args) {
                const state = fakeState(args.type, args.name, args.inputs, region);
                if (args.type !== "pulumi:pulumi:Stack") {
                    records.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs, state });
                }
                return { id: args.custom === false ? undefined : `${args.name}-id`, state };
            },
            call(args) {
                return fakeCall(args.token, args.inputs, region);
            },
        }, project, stack, false);

        // The cache patches the runtime until every registration (and so every serialization) has landed.
        const declare = async () => {
            const outputs = await pulumi.runtime.runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation((t) => {
                    cache?.resourceConstructed(t.type, t.name);
                    const source = declaringCallSite();
                    if (source) sources.set(`${t.type}::${t.name}`, source);
                    const parent: any = t.opts.parent;
                    if (parent && parent.__pulumiType !== "pulumi:pulumi:Stack") {
                        parents.set(`${t.type}::${t.name}`, `${parent.__pulumiType}::${parent.__name}`);
                    }
                    return undefined;
                });
                return freshRequire(PROGRAM);
            });
            // Stack outputs resolve before every child registration has landed; wait for those too.
            await pulumi.runtime.disconnect();
            return outputs;
        };
        const outputs = cache ? await cache.around(declare) : await declare();
        return {
            project,
            stack,
            config,
            resources: records.map((r) => ({ ...r, parent: parents.get(`${r.type}::${r.name}`), source: sources.get(`${r.type}::${r.name}`) })),
            outputs: (outputs ?? {}) as Record<string, unknown>,
        };
    } finally {
        Error.prepareStackTrace = prepareStackTrace;
        running = false;
    }
}

export { ACCOUNT_ID };
