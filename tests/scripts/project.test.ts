import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { loadProject, loadProjectFile, loadStackConfig, valueHasType, ProjectError } from "../../scripts/lib/project";
import { runProgram, ROOT } from "../../scripts/lib/mock-run";

const FIXTURES = path.join(ROOT, "tests", "fixtures", "project");

function refusal(load: () => unknown): string {
    try {
        load();
    } catch (err) {
        expect(err, String(err)).to.be.instanceOf(ProjectError);
        const message = (err as Error).message;
        expect(message, "one line").not.to.include("\n");
        return message;
    }
    throw new Error("expected the file to be refused");
}

describe("scripts: Pulumi project loading (the CLI's rules)", () => {
    describe("the real project", () => {
        it("Pulumi.yaml passes the project schema and Project.Validate, every key in the project's namespace", () => {
            const project = loadProject(ROOT);
            expect(project.name).to.equal("mdetect");
            for (const key of Object.keys(project.config)) {
                if (project.config[key].type !== undefined) expect(key.startsWith(`${project.name}:`) || !key.includes(":"), key).to.equal(true);
            }
        });

        const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined);
        it("there are stack files (dev and prod)", () => expect(stacks).to.include.members(["dev", "prod"]));
        for (const stack of stacks) {
            it(`Pulumi.${stack}.yaml type-checks against the declared types`, () => {
                const config = loadStackConfig(loadProject(ROOT), stack);
                expect(config["mdetect:detectorCount"]).to.be.a("number");
            });
        }
    });

    // Each file breaks one rule; the message is the CLI's own (project.go, tokens/names.go).
    const projectRules: [string, string][] = [
        ["not-namespaced-type", "Configuration key 'mdetect:detectorCount' is not namespaced by the project and should not define a type"],
        ["not-namespaced-default", "Configuration key 'aws:region' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?"],
        ["not-namespaced-no-value", "Configuration key 'aws:region' is namespaced and must provide an attribute 'value'"],
        ["default-and-value", "project config 'mdetect:detectorCount' cannot have both a 'default' and 'value' attribute"],
        ["array-without-items", "The configuration key 'mdetect:opsEmails' declares an array but does not specify the underlying type via the 'items' attribute"],
        ["default-wrong-type", "The default value specified for configuration key 'mdetect:compressionRatio' is not of the expected type 'integer'"],
        ["array-default-wrong-items", "The default value specified for configuration key 'mdetect:opsEmails' is not of the expected type 'array<string>'"],
        ["schema-unknown-attribute", "#/config/mdetect:detectorCount: additionalProperties 'typ' not allowed; did you mean 'type'?"],
        ["missing-name", "project is missing a 'name' attribute"],
        ["bad-name", "project names may only contain alphanumerics, hyphens, underscores, and periods"],
    ];
    describe("Pulumi.yaml files the CLI refuses", () => {
        it("every fixture has a rule here", () => {
            const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".Pulumi.yaml")).map((f) => f.replace(".Pulumi.yaml", ""));
            expect(files.sort()).to.deep.equal(projectRules.map(([name]) => name).sort());
        });
        for (const [name, message] of projectRules) {
            it(`${name}: ${message}`, () => {
                expect(refusal(() => loadProjectFile(path.join(FIXTURES, `${name}.Pulumi.yaml`)))).to.equal(`${name}.Pulumi.yaml: ${message}`);
            });
        }
    });

    const stackRules: [string, string][] = [
        ["integer-not-integer", "Stack 'integer-not-integer' with configuration key 'mdetect:detectorCount' must be of type 'integer'"],
        ["boolean-not-boolean", "Stack 'boolean-not-boolean' with configuration key 'mdetect:dbMultiAz' must be of type 'boolean'"],
        ["array-as-string", "Stack 'array-as-string' with configuration key 'mdetect:opsEmails' must be of type 'array<string>'"],
        ["missing-required", "Stack 'missing-required' is missing configuration value 'mdetect:githubRepository'"],
        ["secret-in-plaintext", "Stack 'secret-in-plaintext' with configuration key 'mdetect:dbPassword' must be encrypted as it's secret"],
        ["key-without-namespace", "could not parse detectorCount as a configuration key (configuration keys should be of the form `<namespace>:<name>`)"],
        // Ours, not the CLI's: a misspelt key the program would never read.
        ["unknown-key", "Stack 'unknown-key' sets configuration key 'mdetect:detectorcount' that Pulumi.yaml does not declare; did you mean 'mdetect:detectorCount'?"],
    ];
    describe("stack files `pulumi up` refuses", () => {
        const project = () => loadProject(path.join(FIXTURES, "stacks"));
        it("the valid stack loads, stack values over defaults, values of other namespaces kept", () => {
            expect(loadStackConfig(project(), "ok")).to.deep.equal({
                "mdetect:githubRepository": "mdetect/mdetect-pipeline", "mdetect:detectorCount": "120", "mdetect:dbMultiAz": "true",
                "mdetect:opsEmails": [], "mdetect:dbPassword": "", "aws:region": "ap-southeast-2",
            });
        });
        for (const [stack, message] of stackRules) {
            it(`${stack}: ${message}`, () => expect(refusal(() => loadStackConfig(project(), stack))).to.equal(message));
        }
    });

    describe("value types (ValidateConfigValue)", () => {
        it("an integer key takes any whole number or its decimal text, nothing else", () => {
            fc.assert(fc.property(fc.integer(), (n) => valueHasType("integer", undefined, n) && valueHasType("integer", undefined, String(n))));
            fc.assert(fc.property(fc.string().filter((s) => !/^[+-]?\d+$/.test(s)), (s) => !valueHasType("integer", undefined, s)));
            expect(valueHasType("integer", undefined, 1.5)).to.equal(false);
        });
        it("a boolean key takes true/false or their text only", () => {
            for (const ok of [true, false, "true", "false"]) expect(valueHasType("boolean", undefined, ok), String(ok)).to.equal(true);
            for (const bad of ["yes", "True", 1, ""]) expect(valueHasType("boolean", undefined, bad), String(bad)).to.equal(false);
        });
    });

    it("the offline run refuses a misspelt stack key before running the program, naming the closest key", async () => {
        let error: unknown;
        try { await runProgram({ config: { "mdetect:detectorcount": 10 } }); } catch (e) { error = e; }
        expect(error).to.be.instanceOf(ProjectError);
        expect((error as Error).message).to.equal("Stack 'dev' sets configuration key 'mdetect:detectorcount' that Pulumi.yaml does not declare; did you mean 'mdetect:detectorCount'?");
    });
});
