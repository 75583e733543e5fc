/**
 * scripts/lib/mock-run.ts formats stacks its own way while a program runs (Pulumi stamps every
 * promise and resource with a stack, and source-mapping each was half a warm run): stamps are
 * bare, errors keep their frames, and the caller's formatter is back once the run ends.
 */
import { expect } from "chai";
import { runProgram } from "../../scripts/lib/mock-run";
import { ProjectError } from "../../scripts/lib/project";
import { programWith } from "../helpers/program";

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
