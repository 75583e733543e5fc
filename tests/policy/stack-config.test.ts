/**
 * Rules that read the stack's own config (`configFromStack`): the offline run and the generated
 * `--policy-pack-config` must judge with the stack's values, not the schema defaults. Oracles:
 * the CLI's own reading of the same config (`usageFromConfig`, as `mdetect cost` prices it).
 */
import { expect } from "chai";
import { RULES } from "../../policy/rules";
import { evaluate, packConfigFromStack, ruleConfig } from "../../policy/lib/engine";
import { designFromResources, usageFromConfig } from "../../policy/lib/cost/design";
import { estimate } from "../../policy/lib/cost/model";
import { UNKNOWN } from "../../policy/lib/values";
import type { RecordedResource } from "../../policy/lib/engine";
import type { ResourceRule } from "../../policy/lib/types";
import { res, rule } from "./helpers";

const budget = (limit: string) => res("aws:budgets/budget:Budget", "monthly", {
    budgetType: "COST", limitAmount: limit, limitUnit: "USD", timeUnit: "MONTHLY",
    notifications: [{ notificationType: "ACTUAL", threshold: 80, subscriberEmailAddresses: ["ops@mdetect.com.au"] }],
});
const endpoint = res("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg", {
    productionVariants: [{ variantName: "main", modelName: "m", instanceType: "ml.t2.medium", initialInstanceCount: 1 }],
});
const stream = res("aws:kinesis/stream:Stream", "s", { shardCount: 2, encryptionType: "KMS", kmsKeyId: "k" });
const firehose = res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { extendedS3Configuration: { bufferingSize: 64, bufferingInterval: 900, compressionFormat: "GZIP" } });
const DESIGN = [endpoint, stream, firehose];
/** Values unlike every schema default, so a rule that ignored one of them would price another bill. */
const STACK = {
    "mdetect:detectorCount": 300, "mdetect:bytesPerSecondPerDetector": 700, "mdetect:readingsPerRecord": 150, "mdetect:recordEncoding": "gzip",
    "mdetect:compressionRatio": 0.3, "mdetect:clientCount": 40, "mdetect:apiCallsPerMonth": 90_000_000,
};

function findings(name: string, resources: RecordedResource[], stackConfig: Record<string, unknown>) {
    return evaluate(RULES, resources, { stack: "dev", packConfig: packConfigFromStack(RULES, stackConfig, "dev") }).filter((f) => f.rule === name);
}

/** The peak month `mdetect cost` prices for the stack config over DESIGN. */
function cliPeak(stackConfig: Record<string, unknown>): number {
    const design = designFromResources(DESIGN.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, state: r.outputs })));
    return estimate(design, usageFromConfig(stackConfig), 12).peakMonthUsd;
}

describe("policy: rules judge with the stack's own config", () => {
    describe("cost-within-budget", () => {
        for (const encoding of ["gzip", "plain"]) {
            it(`prices the stack's usage profile (${encoding} records) exactly as \`mdetect cost\` does`, () => {
                const stackConfig = { ...STACK, "mdetect:recordEncoding": encoding };
                const peak = cliPeak(stackConfig);
                const [f] = findings("cost-within-budget", [budget("1.00"), ...DESIGN], stackConfig);
                expect(f.message).to.include(`estimated peak monthly cost $${peak.toFixed(2)} + 10% margin = $${(peak * 1.1).toFixed(2)} exceeds budget monthly of $1.00`);
            });
        }

        it("treats any encoding other than gzip as plain records", () => {
            const [odd] = findings("cost-within-budget", [budget("1.00"), ...DESIGN], { ...STACK, "mdetect:recordEncoding": "zstd" });
            expect(odd.message).to.include(`$${cliPeak({ ...STACK, "mdetect:recordEncoding": "plain" }).toFixed(2)} +`);
        });

        it("passes a budget exactly equal to the estimate plus margin, and fires one cent below", () => {
            const peak = cliPeak(STACK);
            const exact = peak * 1.1;
            expect(findings("cost-within-budget", [budget(String(exact)), ...DESIGN], STACK)).to.deep.equal([]);
            expect(findings("cost-within-budget", [budget(String(exact - 0.01)), ...DESIGN], STACK)).to.have.length(1);
        });

        it("leaves a zero budget to budget-declared, even when the design costs money", () => {
            expect(findings("cost-within-budget", [budget("0"), ...DESIGN], STACK)).to.deep.equal([]);
            expect(findings("budget-declared", [budget("0"), ...DESIGN], STACK).map((f) => f.message).join()).to.include("no positive limit");
        });
    });

    describe("cost-tags", () => {
        const ctxOf = (stackConfig: Record<string, unknown>, stack: string) => {
            const cfg = ruleConfig(rule("cost-tags"), packConfigFromStack(RULES, stackConfig, stack));
            return { stack, config: cfg, ruleNames: new Set(RULES.map((r) => r.name)) };
        };
        const topic = (tags: unknown) => ({ type: "aws:sns/topic:Topic", name: "t", urn: "urn:t", props: { kmsMasterKeyId: "arn:k", tags } });
        const remediate = (tags: unknown, stackConfig: Record<string, unknown> = { "mdetect:costCenter": "muon-imaging", "mdetect:owner": "ops@mdetect.com.au" }, stack = "prod") =>
            (rule("cost-tags") as ResourceRule<any>).remediate!(topic(tags), ctxOf(stackConfig, stack)) as Record<string, any> | undefined;

        it("fills missing tags from the stack (project, the stack name, mdetect:costCenter, mdetect:owner) and keeps the ones set", () => {
            expect(remediate({ project: "mine" })!.tags).to.deep.equal({ project: "mine", environment: "prod", "cost-center": "muon-imaging", owner: "ops@mdetect.com.au" });
            expect(remediate(undefined)!.tags).to.deep.equal({ project: "mdetect", environment: "prod", "cost-center": "muon-imaging", owner: "ops@mdetect.com.au" });
            expect(remediate(undefined)!.kmsMasterKeyId, "other props kept").to.equal("arn:k");
        });

        it("changes nothing when a missing tag has no value to fill in (no costCenter or owner in the stack)", () => {
            expect(remediate({ project: "p", environment: "e", owner: "o" }, {})).to.equal(undefined);
            // environment could be filled, owner could not: a half-tagged resource is not written.
            expect(remediate({ project: "p", "cost-center": "c" }, { "mdetect:costCenter": "c" })).to.equal(undefined);
        });

        it("changes nothing on a fully tagged resource or one whose tags are unknown until deploy", () => {
            expect(remediate({ project: "p", environment: "e", "cost-center": "c", owner: "o" })).to.equal(undefined);
            expect(remediate(UNKNOWN)).to.equal(undefined);
            expect(remediate({ project: "p", environment: "e", "cost-center": "c", owner: UNKNOWN })).to.equal(undefined);
        });

        it("checks the stack's own mdetect:requiredTags list", () => {
            const tagged = res("aws:sns/topic:Topic", "t", { tags: { project: "p", environment: "e", "cost-center": "c", owner: "o" } });
            expect(findings("cost-tags", [tagged], {})).to.deep.equal([]);
            expect(findings("cost-tags", [tagged], { "mdetect:requiredTags": ["team"] }).map((f) => f.message)).to.deep.equal(["Topic t lacks cost tag(s) team"]);
        });
    });

    it("suppression-reasons checks the stack's mdetect:policySuppressions", () => {
        expect(findings("suppression-reasons", [], { "mdetect:policySuppressions": ["log-group-retention:x=wip"] }).map((f) => f.message).join()).to.include("at least 10 characters");
        expect(findings("suppression-reasons", [], {})).to.deep.equal([]);
    });
});
