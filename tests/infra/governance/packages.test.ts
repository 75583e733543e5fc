import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dependencyClosure, unusedPackages } from "../../../infra/governance/packages";

/** A project in a scratch directory: its package.json dependencies and node_modules as npm would lay them out. */
function project(dependencies: string[], installed: Record<string, { deps?: string[]; optional?: string[]; nested?: Record<string, string[]> }>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-packages-"));
    const write = (dir: string, name: string, deps: string[] = [], optional: string[] = []) => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, dependencies: Object.fromEntries(deps.map((d) => [d, "*"])), optionalDependencies: Object.fromEntries(optional.map((d) => [d, "*"])) }));
    };
    write(root, "project", dependencies);
    for (const [name, p] of Object.entries(installed)) {
        write(path.join(root, "node_modules", name), name, p.deps, p.optional);
        for (const [nested, deps] of Object.entries(p.nested ?? {})) write(path.join(root, "node_modules", name, "node_modules", nested), nested, deps);
    }
    return root;
}

describe("infra/governance/packages: what a Lambda zip may leave out", () => {
    it("keeps a top-level dependency that a needed package requires (client-s3 -> @smithy/node-http-handler)", () => {
        expect(unusedPackages(["@aws-sdk/client-s3"])).to.not.include("@smithy/node-http-handler");
        expect(unusedPackages(["@aws-sdk/client-s3"])).to.include("mysql2");
    });

    it("follows requires transitively, through nested installs and optional dependencies, and leaves out only what nothing needed reaches", () => {
        const root = project(["a", "b", "c", "d", "e"], {
            a: { deps: ["x"], nested: { x: ["b"] } }, // a -> a/node_modules/x -> b (top level)
            b: { optional: ["d"] },
            c: {}, d: {}, e: { deps: ["c"] },
        });
        try {
            expect([...dependencyClosure(["a"], root)].sort()).to.deep.equal(["a", "b", "d", "x"]);
            expect(unusedPackages(["a"], root)).to.deep.equal(["c", "e"]);
            expect(unusedPackages(["e"], root)).to.deep.equal(["a", "b", "d"]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("refuses a needed package that is no runtime dependency", () => {
        expect(() => unusedPackages(["left-pad"])).to.throw("not runtime dependencies in package.json: left-pad");
    });
});
