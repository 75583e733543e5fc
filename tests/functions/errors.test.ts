import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { InvalidEventError } from "../../functions/batch/event";
import { InvalidKeyError } from "../../functions/batch/keys";
import { isNamedError } from "../../functions/errors";
import { ROOT } from "../../scripts/lib/mock-run";
import { HttpProblem, PROBLEMS, isHttpProblem } from "../../functions/api/http";
import { PresignRefused, isPresignRefused } from "../../functions/api/presign";
import { MigrationError } from "../../functions/registry/migrate";
import { NotFoundError, OverlappingDeploymentError, RegistryUnavailableError, isRegistryError } from "../../functions/registry/errors";

/**
 * Serializes `fn` the way CallbackFunction does and loads it in a fresh directory inside the
 * repository, so the packages it requires (the S3 client for presign) resolve from node_modules.
 */
async function serialized<T>(fn: () => T): Promise<() => T> {
    const { text, exportName } = await pulumi.runtime.serializeFunction(fn);
    const file = path.join(fs.mkdtempSync(path.join(SCRATCH, "errors-")), "index.js");
    fs.writeFileSync(file, text);
    return require(file)[exportName];
}

const SCRATCH = path.join(ROOT, "node_modules", ".cache", "mdetect-tests");
fs.mkdirSync(SCRATCH, { recursive: true });

function thrown(fn: () => unknown): any {
    try { fn(); } catch (e) { return e; }
    throw new Error("expected a throw");
}

/** Every project error class a Lambda throws, with the name its predicate checks. */
const LAMBDA_ERRORS: [string, () => Error][] = [
    ["InvalidEventError", () => new InvalidEventError("not an S3 Object Created event")],
    ["InvalidKeyError", () => new InvalidKeyError("key outside incoming/")],
    ["MigrationError", () => new MigrationError("checksum mismatch")],
    ["HttpProblem", () => new HttpProblem(PROBLEMS.conflict, "already there")],
    ["PresignRefused", () => new PresignRefused("refusing to presign a key outside its prefix")],
];

describe("functions: errors keep their name and message inside a serialized Lambda", () => {
    for (const [name, make] of LAMBDA_ERRORS) {
        it(`${name} keeps its name and message, and isNamedError recognises it, after closure serialization`, async () => {
            const expected = make();
            const handler = await serialized(() => { throw make(); });
            const err = thrown(handler);
            expect([err.name, err.message]).to.deep.equal([name, expected.message]);
            expect(isNamedError(err, name)).to.equal(true);
            expect(isNamedError(err, `${name}X`)).to.equal(false);
        });
    }

    it("the API's predicates answer for errors built by serialized code, which instanceof does not reliably do", async () => {
        const [problem, refused] = await Promise.all([
            serialized(() => thrown(() => { throw new HttpProblem(PROBLEMS.notFound, "no such finding"); })),
            serialized(() => thrown(() => { throw new PresignRefused("outside"); })),
        ]);
        const p = problem();
        expect(isHttpProblem(p)).to.equal(true);
        expect([p.kind.status, p.detail]).to.deep.equal([404, "no such finding"]);
        expect(isPresignRefused(refused())).to.equal(true);
        expect(isHttpProblem(refused())).to.equal(false);
    });

    it("registry errors keep code and message and are recognised by isRegistryError, where instanceof fails", async () => {
        const make = await serialized(() => [new NotFoundError("site"), new OverlappingDeploymentError(), new RegistryUnavailableError()]);
        const errors = make();
        expect(errors.map((e) => [e.code, e.message])).to.deep.equal([
            ["not_found", "site not found"],
            ["overlapping_deployment", "the detector already has a deployment overlapping this period"],
            ["unavailable", "the registry is temporarily unavailable"],
        ]);
        expect(errors.every(isRegistryError)).to.equal(true);
        // The in-process class is not the one that built them: this is why the router must not use instanceof.
        expect(errors[0] instanceof NotFoundError).to.equal(false);
    });

    it("isNamedError is false for anything that is not an error of that name", () => {
        for (const value of [undefined, null, "HttpProblem", { message: "HttpProblem" }, new Error("HttpProblem"), 42]) {
            expect(isNamedError(value, "HttpProblem"), String(value)).to.equal(false);
        }
    });
});
