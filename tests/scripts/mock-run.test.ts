/**
 * scripts/lib/mock-run.ts formats stacks its own way while a program runs (Pulumi stamps every
 * promise and resource with a stack, and source-mapping each was half a warm run): stamps are
 * bare, errors keep their frames, and the caller's formatter is back once the run ends. Each run
 * loads the program's modules afresh (they read config at load) but keeps the harness's.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ROOT, runProgram } from "../../scripts/lib/mock-run";
import { ProjectError } from "../../scripts/lib/project";
import { PROGRAM_RUN_TIMEOUT_MS, programWith } from "../helpers/program";

describe("scripts: stack traces during a mock program run", () => {
    const own = (_error: Error, sites: NodeJS.CallSite[]) => `own formatter: ${sites.length} frames`;
    let saved: typeof Error.prepareStackTrace;
    beforeEach(() => { saved = Error.prepareStackTrace; Error.prepareStackTrace = own; });
    afterEach(() => { Error.prepareStackTrace = saved; });

    it("a run gives the caller's stack formatter back, and Pulumi's bare stamps cost only their header meanwhile", async () => {
        await programWith({}); // the queue's earlier runs done: this one may start at once
        const run = runProgram({});
        // The run's synchronous start has installed its formatter; the program is now declaring.
        const stamp = new Error().stack;
        const named = new RangeError("").stack;
        await run;
        expect(stamp, "a bare Error, as runtime/debuggable.js and Resource.callsites make").to.equal("Error");
        expect(named, "any other error keeps its frames").to.match(/^RangeError\n {4}at /);
        expect(Error.prepareStackTrace).to.equal(own);
        expect(new Error().stack).to.match(/^own formatter: \d+ frames$/);
    });

    it("a failing run restores the formatter too, and its error's stack, read after the run (MDETECT_DEBUG), is the caller's", async () => {
        const err = await programWith({ config: { "mdetect:detectorCount": "many" } }).then(() => undefined, (e: Error) => e);
        expect(err?.name).to.equal(ProjectError.name);
        expect(Error.prepareStackTrace).to.equal(own);
        expect(err!.stack).to.match(/^own formatter: \d+ frames$/);
    });
});

describe("scripts: a mock run reloads the program's modules, not the test harness's", () => {
    const programModule = () => require.cache[path.join(ROOT, "infra", "index.ts")];
    const sharedModule = () => require.cache[path.join(ROOT, "functions", "registry", "errors.ts")];
    before(() => programWith({}));

    it("the program's modules (infra/) are loaded afresh by each run, so each sees its own config; functions/ and policy/ stay loaded", async () => {
        const first = programModule();
        const shared = sharedModule();
        await programWith({});
        expect(first, "infra/index.ts loaded by the run before").to.not.equal(undefined);
        expect(programModule()).to.not.equal(undefined).and.not.equal(first);
        expect(shared, "loaded by the program").to.not.equal(undefined);
        expect(sharedModule()).to.equal(shared);
    });

    it("only infra/ can read config: no other module of the program imports @pulumi/pulumi", () => {
        const importers = ["functions", "policy", "schema"]
            .flatMap((dir) => (fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]).map((file) => path.join(dir, file)))
            .filter((file) => /\.[cm]?[jt]s$/.test(file) && /["']@pulumi\/pulumi["'/]/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
        expect(importers).to.deep.equal([]);
    });

    it("a test file loaded after a run gets the helpers already loaded: the shared runs, and allowTime reaching its test", async function () {
        // Mocha's parallel workers load each file when its turn comes, after earlier files' runs.
        const loadedNow: typeof import("../helpers/program") = require("../helpers/program");
        expect(loadedNow.programWith === programWith, "tests/helpers/program.ts is the module this file loaded").to.equal(true);
        this.timeout(60_000);
        const run = loadedNow.programWith({});
        expect(this.timeout(), "the run lifts this test's timeout").to.equal(PROGRAM_RUN_TIMEOUT_MS);
        await run;
    });
});
