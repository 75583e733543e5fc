/**
 * The CrossGuard adapter: the same rules as PolicyPack policies, fed the way the Pulumi engine
 * feeds them (props behind @pulumi/policy's unknown-checking proxy, unknowns as wire sentinels).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { unknownCheckingProxy, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { RULES } from "../../policy/rules";
import { toPolicies, plain, stackOfUrn } from "../../policy/lib/pack";
import { NOTES_POLICY } from "../../policy/lib/engine";
import { isUnknown } from "../../policy/lib/values";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");
/** The engine's placeholder for a string only known after deploy. */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const URN = (type: string, name: string, stack = "dev") => `urn:pulumi:${stack}::mdetect::${type}::${name}`;

const policies = toPolicies(RULES);
const byName = (name: string) => policies.find((p) => p.name === name)!;

function validateResource(name: string, type: string, props: Record<string, unknown>, config: object = {}, stack = "dev"): string[] {
    const messages: string[] = [];
    const args: any = { type, name: "r", urn: URN(type, "r", stack), props: unknownCheckingProxy(props), getConfig: () => config };
    const validate = (byName(name) as ResourceValidationPolicy).validateResource as (a: any, report: (m: string) => void) => void;
    validate(args, (m) => messages.push(m));
    return messages;
}

function validateStack(name: string, resources: { type: string; name: string; props: Record<string, unknown>; deps?: Record<string, string[]> }[], config: object = {}): { message: string; urn?: string }[] {
    const out: { message: string; urn?: string }[] = [];
    const views: any[] = resources.map((r) => ({ type: r.type, name: r.name, urn: URN(r.type, r.name), props: unknownCheckingProxy(r.props), propertyDependencies: {} }));
    resources.forEach((r, i) => {
        for (const [k, urns] of Object.entries(r.deps ?? {})) views[i].propertyDependencies[k] = urns.map((u) => views.find((v) => v.urn === u));
    });
    (byName(name) as StackValidationPolicy).validateStack({ resources: views, getConfig: () => config } as any, (message, urn) => out.push({ message, urn }));
    return out;
}

const BUCKET = "aws:s3/bucket:Bucket";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const GOOD_RULES = [
    { id: "raw", status: "Enabled", filter: { prefix: "raw/" }, transitions: [{ days: 30, storageClass: "GLACIER" }] },
    { id: "abort", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
];

describe("policy: CrossGuard pack adapter", () => {
    it("exposes one policy per rule plus the advisory notes, with metadata and a suppressions config", () => {
        expect(policies.map((p) => p.name)).to.deep.equal([...RULES.map((r) => r.name), NOTES_POLICY]);
        for (const rule of RULES) {
            const p = byName(rule.name);
            expect(p.enforcementLevel, rule.name).to.equal(rule.enforcementLevel);
            expect(p.severity, rule.name).to.equal(rule.severity);
            expect(p.remediationSteps, rule.name).to.equal(rule.fix);
            expect(p.configSchema!.properties.suppressions, rule.name).to.include({ type: "array" });
            expect(rule.kind === "resource" ? "validateResource" in p : "validateStack" in p, rule.name).to.equal(true);
        }
        expect(byName(NOTES_POLICY).enforcementLevel).to.equal("advisory");
    });

    it("reports a resource violation through the proxy the engine passes", () => {
        expect(validateResource("kinesis-stream-encrypted", "aws:kinesis/stream:Stream", {})).to.have.length(1);
        expect(validateResource("kinesis-stream-encrypted", "aws:kinesis/stream:Stream", { encryptionType: "KMS", kmsKeyId: "arn:k" })).to.deep.equal([]);
        expect(validateResource("kinesis-stream-encrypted", "aws:sqs/queue:Queue", {}), "other types not applicable").to.deep.equal([]);
    });

    it("treats a key ARN unknown during preview as set, not as missing and not as a crash", () => {
        expect(validateResource("kinesis-stream-encrypted", "aws:kinesis/stream:Stream", { encryptionType: "KMS", kmsKeyId: UNKNOWN_STRING })).to.deep.equal([]);
    });

    it("reads the stack from the URN and rule config from getConfig", () => {
        const db = { publiclyAccessible: false, deletionProtection: false, backupRetentionPeriod: 7 };
        expect(validateResource("rds-deletion-protection", "aws:rds/instance:Instance", db, {}, "dev")).to.deep.equal([]);
        expect(validateResource("rds-deletion-protection", "aws:rds/instance:Instance", db, {}, "prod")).to.have.length(1);
        expect(validateResource("rds-backup-retention", "aws:rds/instance:Instance", db, { minDays: 14 })).to.have.length(1);
        expect(stackOfUrn(URN("aws:s3/bucket:Bucket", "b", "dev-alice"))).to.equal("dev-alice");
    });

    it("honours reasoned suppressions from the policy config", () => {
        const config = { suppressions: ["kinesis-stream-encrypted:r=test stream holds synthetic data only"] };
        expect(validateResource("kinesis-stream-encrypted", "aws:kinesis/stream:Stream", {}, config)).to.deep.equal([]);
        expect(validateResource("kinesis-stream-encrypted", "aws:kinesis/stream:Stream", {}, { suppressions: ["kinesis-stream-encrypted:r=short"] })).to.have.length(1);
    });

    it("links a lifecycle to its bucket by property dependency when the bucket name is unknown during preview", () => {
        const bucket = { type: BUCKET, name: "lake", props: { id: UNKNOWN_STRING, bucket: UNKNOWN_STRING } };
        const lifecycle = (rules: object[]) => ({ type: LIFECYCLE, name: "lake-lc", props: { bucket: UNKNOWN_STRING, rules }, deps: { bucket: [URN(BUCKET, "lake")] } });
        expect(validateStack("s3-lifecycle-glacier", [bucket, lifecycle(GOOD_RULES)])).to.deep.equal([]);
        const bad = validateStack("s3-lifecycle-glacier", [bucket, lifecycle(GOOD_RULES.slice(1))]);
        expect(bad).to.have.length(1);
        expect(bad[0].urn).to.equal(URN(BUCKET, "lake"));
    });

    describe("links an asynchronous trigger to its function by property dependency when the function's ARN is unknown during preview", () => {
        const FN = "aws:lambda/function:Function";
        const fn = { type: FN, name: "convert", props: { arn: UNKNOWN_STRING, name: UNKNOWN_STRING } };
        const otherFn = { type: FN, name: "other", props: { arn: "arn:aws:lambda:ap-southeast-2:123456789012:function:other", deadLetterConfig: { targetArn: "arn:q" } } };
        const triggers: { type: string; via: string; property: string; props: Record<string, unknown> }[] = [
            { type: "aws:cloudwatch/eventTarget:EventTarget", via: "EventBridge rule", property: "arn", props: { rule: "incoming" } },
            { type: "aws:lambda/invocation:Invocation", via: "deploy-time invocation", property: "functionName", props: { input: "{}" } },
            { type: "aws:sns/topicSubscription:TopicSubscription", via: "SNS subscription", property: "endpoint", props: { protocol: "lambda", topic: "t" } },
            { type: "aws:lambda/permission:Permission", via: "s3.amazonaws.com permission", property: "function", props: { principal: "s3.amazonaws.com" } },
        ];
        for (const t of triggers) {
            it(t.via, () => {
                const trigger = { type: t.type, name: "trigger", props: { ...t.props, [t.property]: UNKNOWN_STRING }, deps: { [t.property]: [URN(FN, "convert")] } };
                const found = validateStack("lambda-async-dlq", [fn, otherFn, trigger]);
                expect(found.map((f) => f.message)).to.deep.equal([`function convert is invoked asynchronously (${t.via} trigger) and has no DLQ or on-failure destination`]);
                const other = { ...trigger, deps: { [t.property]: [URN(FN, "other")] } };
                expect(validateStack("lambda-async-dlq", [fn, otherFn, other]), "a dependency on another function settles it").to.deep.equal([]);
                expect(validateStack(NOTES_POLICY, [fn, otherFn, other]).filter((n) => n.message.startsWith("[lambda-async-dlq]"))).to.deep.equal([]);
            });
        }
    });

    it("says 'cannot judge' (advisory notes) instead of passing or failing when a link is unknown", () => {
        const resources = [
            { type: BUCKET, name: "lake", props: { id: UNKNOWN_STRING } },
            { type: LIFECYCLE, name: "lake-lc", props: { bucket: UNKNOWN_STRING, rules: GOOD_RULES } },
        ];
        expect(validateStack("s3-lifecycle-glacier", resources), "not a mandatory failure").to.deep.equal([]);
        const notes = validateStack(NOTES_POLICY, resources).filter((n) => n.message.startsWith("[s3-lifecycle-glacier]"));
        expect(notes).to.have.length(1);
        expect(notes[0].message).to.include("cannot judge");
    });

    it("shows suppressed findings with their reason in the advisory notes", () => {
        const notes = validateStack(NOTES_POLICY, [{ type: "aws:cloudwatch/logGroup:LogGroup", name: "legacy", props: { tags: { project: "p", environment: "e", "cost-center": "c", owner: "o" } } }],
            { suppressions: ["log-group-retention:legacy=kept for the 7-year audit period"] });
        expect(notes.map((n) => n.message)).to.deep.equal(["[log-group-retention] suppressed: log group legacy keeps logs forever (no retentionInDays) (reason: kept for the 7-year audit period)"]);
    });

    it("remediates missing cost tags from the configured values and leaves existing ones", () => {
        const p = byName("cost-tags") as ResourceValidationPolicy;
        const args: any = {
            type: "aws:sns/topic:Topic", name: "t", urn: URN("aws:sns/topic:Topic", "t"),
            props: unknownCheckingProxy({ kmsMasterKeyId: "arn:k", tags: { project: "mdetect", owner: "me@x" } }),
            getConfig: () => ({ tagValues: { project: "other", environment: "dev", "cost-center": "cc", owner: "ops@x" } }),
        };
        const fixed = p.remediateResource!(args) as Record<string, any>;
        expect(fixed.tags).to.deep.equal({ project: "mdetect", owner: "me@x", environment: "dev", "cost-center": "cc" });
        expect(fixed.kmsMasterKeyId).to.equal("arn:k");
    });

    it("converts engine sentinels anywhere in the props to UNKNOWN", () => {
        const value = plain(unknownCheckingProxy({ a: [{ b: UNKNOWN_STRING }], c: "x" })) as any;
        expect(isUnknown(value.a[0].b)).to.equal(true);
        expect(value.c).to.equal("x");
    });
});

describe("policy: pack packaging", () => {
    it("has PulumiPolicy.yaml (nodejs) and a package.json naming its entry and dependencies", () => {
        const yaml = YAML.parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8"));
        expect(yaml.runtime).to.equal("nodejs");
        expect(yaml.description).to.be.a("string").and.not.equal("");
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        expect(pkg.name).to.equal("mdetect-policy");
        expect(fs.existsSync(path.join(POLICY_DIR, pkg.main))).to.equal(true);
        expect(Object.keys(pkg.dependencies)).to.include.members(["@pulumi/policy", "@pulumi/pulumi"]);
        expect(fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8")).to.match(/new PolicyPack\("mdetect"/);
    });

    it("imports nothing from infra/ (the pack must load without the program)", () => {
        const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? (e.name === "node_modules" ? [] : files(path.join(dir, e.name))) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
        const offenders = files(POLICY_DIR).filter((f) => /(from\s+|require\()["'](\.\.\/)+infra\//.test(fs.readFileSync(f, "utf8")));
        expect(offenders.map((f) => path.relative(POLICY_DIR, f))).to.deep.equal([]);
    });
});
