import { expect } from "chai";
import { convert } from "xmlbuilder2";
import { RULES } from "../../policy/rules";
import { evaluate, packConfigFromStack } from "../../policy/lib/engine";
import { findingFingerprint, renderText, toJUnit, toSarif } from "../../scripts/lib/policy-report";
import { junitProblems, sarifProblems } from "../helpers/report-schemas";
import { res } from "./helpers";

const resources = [
    res("aws:cloudwatch/logGroup:LogGroup", "api-logs", {}),
    res("aws:cloudwatch/logGroup:LogGroup", "old-logs", {}),
    res("aws:rds/instance:Instance", "registry", { publiclyAccessible: true, storageEncrypted: false, backupRetentionPeriod: 7 }),
];
const packConfig = packConfigFromStack(RULES, { "mdetect:policySuppressions": ["log-group-retention:old-logs=legacy group kept for the audit period"] }, "dev");
const findings = evaluate(RULES, resources, { stack: "dev", packConfig });

describe("policy: reports", () => {
    it("SARIF validates against the 2.1.0 schema and GitHub's requirements, with every rule, levels, resource URNs and suppressions", () => {
        const sarif = toSarif(findings, RULES, "0.1.0");
        expect(sarifProblems(sarif)).to.deep.equal([]);
        const run = sarif.runs[0];
        expect(run.tool.driver.rules!.map((r) => r.id)).to.deep.equal(RULES.map((r) => r.name));
        const results = run.results!;
        expect(results).to.have.length(findings.length);
        for (const r of results) expect(run.tool.driver.rules![r.ruleIndex!].id).to.equal(r.ruleId);
        const publicDb = results.find((r) => r.ruleId === "rds-not-public")!;
        expect(publicDb.level).to.equal("error");
        expect(publicDb.locations![0].logicalLocations![0].fullyQualifiedName).to.equal("urn:pulumi:dev::mdetect::aws:rds/instance:Instance::registry");
        const suppressed = results.filter((r) => r.suppressions);
        expect(suppressed.map((r) => r.suppressions![0].justification)).to.deep.equal(["legacy group kept for the audit period"]);
        expect(suppressed[0].locations![0].logicalLocations![0].name).to.equal("old-logs");
    });

    it("fingerprints depend on rule and resource only: stable across messages, distinct across resources", () => {
        const sarif = toSarif(findings, RULES, "0.1.0");
        const hashes = sarif.runs[0].results!.map((r) => r.partialFingerprints!.primaryLocationLineHash);
        const keys = findings.map((f) => `${f.rule}|${f.resource?.urn ?? "stack"}`);
        expect(new Set(hashes).size).to.equal(new Set(keys).size);
        const reworded = findings.map((f) => ({ ...f, message: `${f.message} (reworded)`, fix: "another fix" }));
        expect(toSarif(reworded, RULES, "0.1.1").runs[0].results!.map((r) => r.partialFingerprints!.primaryLocationLineHash)).to.deep.equal(hashes);
        expect(findingFingerprint(findings[0])).to.equal(hashes[0]);
    });

    it("JUnit XML is valid against junit-10.xsd with one testcase per rule x resource finding and one per clean rule", async () => {
        const xml = toJUnit(findings, RULES);
        expect(await junitProblems(xml)).to.deep.equal([]);
        const doc = convert(xml, { format: "object" }) as any;
        const suites = [doc.testsuites.testsuite].flat();
        expect(suites.map((s: any) => s["@name"])).to.deep.equal(RULES.map((r) => r.name));
        const cases = suites.flatMap((s: any) => [s.testcase].flat().map((c: any) => ({ ...c, suite: s["@name"] })));
        const pairs = new Set(findings.map((f) => `${f.rule}|${f.resource?.type} ${f.resource?.name}`));
        const cleanRules = RULES.filter((r) => !findings.some((f) => f.rule === r.name)).length;
        expect(cases).to.have.length(pairs.size + cleanRules);
        const failures = cases.filter((c: any) => c.failure);
        expect(failures.map((c: any) => `${c.suite}|${c["@name"]}`).sort()).to.deep.equal([
            "budget-declared|stack",
            "cost-tags|aws:cloudwatch/logGroup:LogGroup api-logs",
            "cost-tags|aws:cloudwatch/logGroup:LogGroup old-logs",
            "cost-tags|aws:rds/instance:Instance registry",
            "log-group-retention|aws:cloudwatch/logGroup:LogGroup api-logs",
            "rds-not-public|aws:rds/instance:Instance registry",
            "rds-requires-tls|aws:rds/instance:Instance registry",
            "rds-storage-encrypted|aws:rds/instance:Instance registry",
        ]);
        expect(cases.find((c: any) => c.suite === "log-group-retention" && c["@name"].endsWith("old-logs")).skipped["@message"]).to.include("legacy group");
        expect(Number(doc.testsuites["@failures"])).to.equal(8);
    });

    it("the text report groups by severity and names rule, resource, message and fix", () => {
        const text = renderText(findings, RULES, resources.length);
        const critical = text.indexOf("CRITICAL");
        const medium = text.indexOf("MEDIUM");
        expect(critical).to.be.greaterThan(-1);
        expect(medium).to.be.greaterThan(critical);
        expect(text).to.match(/\[MANDATORY\] rds-not-public {2}aws:rds\/instance:Instance registry\n {6}database registry is publicly accessible\n {6}fix: Set publiclyAccessible: false/);
        expect(text).to.include("[suppressed] log-group-retention  aws:cloudwatch/logGroup:LogGroup old-logs");
        expect(text).to.match(/8 mandatory violation\(s\).*1 suppressed -> FAIL/);
    });
});
