import { expect } from "chai";
import { RULES } from "../../policy/rules";
import { blocking, evaluate, packConfigFromStack } from "../../policy/lib/engine";
import { MIN_REASON_LENGTH, parseSuppressions } from "../../policy/lib/suppressions";
import { res } from "./helpers";

const names = new Set(RULES.map((r) => r.name));
const noRetention = [res("aws:cloudwatch/logGroup:LogGroup", "api-logs", {}), res("aws:cloudwatch/logGroup:LogGroup", "other-logs", {})];

function run(entries: string[]) {
    const packConfig = packConfigFromStack(RULES, { "mdetect:policySuppressions": entries }, "dev");
    return evaluate(RULES, noRetention, { stack: "dev", packConfig }).filter((f) => ["log-group-retention", "suppression-reasons"].includes(f.rule));
}

describe("policy: suppressions", () => {
    it("a reasoned suppression marks the finding suppressed (still reported) and stops it blocking", () => {
        const findings = run(["log-group-retention:api-logs=audit rules require keeping these logs"]);
        const api = findings.find((f) => f.resource?.name === "api-logs")!;
        expect(api.suppressed).to.equal("audit rules require keeping these logs");
        expect(blocking(findings).map((f) => f.resource?.name)).to.deep.equal(["other-logs"]);
    });

    it("a suppression without a proper reason suppresses nothing and is itself a mandatory violation", () => {
        for (const entry of ["log-group-retention:api-logs=", "log-group-retention:api-logs=too short", "log-group-retention:api-logs"]) {
            const findings = run([entry]);
            expect(findings.find((f) => f.resource?.name === "api-logs")!.suppressed, entry).to.equal(undefined);
            const complaint = blocking(findings).filter((f) => f.rule === "suppression-reasons");
            expect(complaint, entry).to.have.length(1);
        }
    });

    it("counts the reason's length without surrounding blanks", () => {
        const reason = "x".repeat(MIN_REASON_LENGTH - 1);
        expect(parseSuppressions([`cost-tags:b=   ${reason}   `], names).errors).to.have.length(1);
        expect(parseSuppressions([`cost-tags:b=${reason}x`], names).valid).to.deep.equal([{ rule: "cost-tags", resource: "b", reason: `${reason}x` }]);
    });

    it("rejects entries naming an unknown rule and non-string entries", () => {
        const { valid, errors } = parseSuppressions(["cost-tag:b=typo in the rule name", 42], names);
        expect(valid).to.deep.equal([]);
        expect(errors).to.have.length(2);
        expect(errors[0]).to.include("unknown rule cost-tag");
    });

    it("suppresses only the named rule on the named resource", () => {
        const findings = run(["cost-tags:api-logs=tagging handled elsewhere for this one"]);
        expect(findings.filter((f) => f.suppressed)).to.deep.equal([]);
    });
});
