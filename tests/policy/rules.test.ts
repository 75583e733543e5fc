import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { RULES } from "../../policy/rules";
import { runOne, type RuleFixtures } from "./helpers";

const RULES_DIR = path.join(__dirname, "..", "..", "policy", "rules");
const FIXTURE_DIR = path.join(__dirname, "fixtures");

/** Every fixtures/*.ts file's FIXTURES, merged; a rule listed twice is an error. */
function allFixtures(): Record<string, RuleFixtures> {
    const merged: Record<string, RuleFixtures> = {};
    for (const file of fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".ts"))) {
        for (const [rule, fx] of Object.entries(require(path.join(FIXTURE_DIR, file)).FIXTURES as Record<string, RuleFixtures>)) {
            if (merged[rule]) throw new Error(`fixtures for ${rule} defined twice (${file})`);
            merged[rule] = fx;
        }
    }
    return merged;
}

const FIXTURES = allFixtures();
const ruleFiles = fs.readdirSync(RULES_DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts").map((f) => f.slice(0, -3));

describe("policy: rule coverage", () => {
    it("registers every rule file in policy/rules/index.ts under its file name", () => {
        expect(RULES.map((r) => r.name).sort()).to.deep.equal([...ruleFiles].sort());
    });

    it("has at least one compliant and one violating fixture for every rule", () => {
        const uncovered = ruleFiles.filter((name) => !(FIXTURES[name]?.compliant.length > 0 && FIXTURES[name]?.violating.length > 0));
        expect(uncovered, "add fixtures in tests/policy/fixtures/ for these rules").to.deep.equal([]);
        expect(Object.keys(FIXTURES).filter((n) => !ruleFiles.includes(n)), "fixtures for rules that do not exist").to.deep.equal([]);
    });

    it("gives every rule metadata the pack and the reports need", () => {
        for (const r of RULES) {
            expect(r.name, r.name).to.match(/^[a-z0-9-]+$/);
            expect(["critical", "high", "medium", "low"], r.name).to.include(r.severity);
            expect(["mandatory", "advisory"], r.name).to.include(r.enforcementLevel);
            expect(r.description.length, r.name).to.be.greaterThan(20);
            expect(r.fix.length, r.name).to.be.greaterThan(20);
            if (r.kind === "resource") expect(r.types.length, r.name).to.be.greaterThan(0);
        }
    });
});

for (const [ruleName, fixtures] of Object.entries(FIXTURES)) {
    describe(`policy rule ${ruleName}`, () => {
        for (const c of fixtures.compliant) {
            it(`passes: ${c.title}`, () => {
                expect(runOne(ruleName, c)).to.deep.equal([]);
            });
        }
        for (const c of fixtures.violating) {
            it(`fires: ${c.title}`, () => {
                const findings = runOne(ruleName, c);
                expect(findings, "expected a violation").to.not.be.empty;
                for (const f of findings) {
                    expect(f.undetermined, f.message).to.equal(false);
                    expect(f.enforcementLevel).to.equal("mandatory");
                    expect(f.message).to.not.match(/could not evaluate/);
                    if (c.expect) expect(f.message).to.include(c.expect);
                }
            });
        }
        for (const c of fixtures.undetermined ?? []) {
            it(`cannot judge: ${c.title}`, () => {
                const findings = runOne(ruleName, c);
                expect(findings, "expected a cannot-judge finding").to.not.be.empty;
                for (const f of findings) {
                    expect(f.undetermined, f.message).to.equal(true);
                    expect(f.enforcementLevel, "never blocks").to.equal("advisory");
                    expect(f.message).to.include("cannot judge");
                    if (c.expect) expect(f.message).to.include(c.expect);
                }
            });
        }
    });
}
