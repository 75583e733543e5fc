/**
 * Mutation tests on the real dev stack: break one thing at a time in the recorded resources and
 * check that the matching rule, and only that rule, turns the run red. A mutation whose target
 * the stack does not declare fails loudly (the subsystem is missing), it never skips.
 */
import { expect } from "chai";
import { program } from "../helpers/program";
import { fromProgramRun } from "../../scripts/lib/policy-input";
import { checkStack } from "../../scripts/lib/policy-run";
import type { RecordedResource } from "../../policy/lib/engine";
import { statements } from "../../policy/lib/values";
import { doc } from "./helpers";

type Resources = RecordedResource[];

async function devStack(): Promise<{ resources: Resources; config: Record<string, unknown> }> {
    const run = await program();
    return { resources: fromProgramRun(run), config: run.config };
}

/** The resources of `type` matching `pick`; throws when the stack has none (the mutation cannot apply). */
function targets(resources: Resources, type: string | string[], pick: (r: RecordedResource) => boolean = () => true): RecordedResource[] {
    const types = Array.isArray(type) ? type : [type];
    const found = resources.filter((r) => types.includes(r.type) && pick(r));
    if (found.length === 0) throw new Error(`mutation target missing: the dev stack declares no ${types.join(" or ")}${pick.length ? " matching the mutation" : ""}`);
    return found;
}

/** Replaces `target` by a copy whose inputs and outputs went through `edit`. */
function edited(resources: Resources, target: RecordedResource, edit: (props: Record<string, any>) => Record<string, any>): Resources {
    return resources.map((r) => (r === target ? { ...r, inputs: edit(structuredCloneSafe(r.inputs)), outputs: edit(structuredCloneSafe(r.outputs)) } : r));
}

/** Deep copy of plain data; Lambda code archives are kept by reference. */
function structuredCloneSafe(props: Record<string, any>): Record<string, any> {
    return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, k === "code" ? v : JSON.parse(JSON.stringify(v ?? null))]));
}

function blockingRules(resources: Resources, config: Record<string, unknown>): string[] {
    return [...new Set(checkStack(resources, "dev", config).blocking.map((f) => f.rule))].sort();
}

describe("policy: mutations of the real dev stack", () => {
    it("the unmodified dev stack passes with zero mandatory violations", async () => {
        const { resources, config } = await devStack();
        const result = checkStack(resources, "dev", config);
        expect(result.blocking.map((f) => `${f.rule} ${f.resource?.name}: ${f.message}`)).to.deep.equal([]);
    });

    const mutations: { title: string; rules: string[]; apply: (rs: Resources) => Resources }[] = [
        {
            title: "remove a bucket's lifecycle configuration",
            rules: ["s3-lifecycle-glacier"],
            apply: (rs) => { const [lc] = targets(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"); return rs.filter((r) => r !== lc); },
        },
        {
            title: "remove a bucket's encryption configuration",
            rules: ["s3-sse-kms"],
            apply: (rs) => { const [sse] = targets(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"); return rs.filter((r) => r !== sse); },
        },
        {
            title: "drop encryption on the Kinesis stream",
            rules: ["kinesis-stream-encrypted"],
            apply: (rs) => edited(rs, targets(rs, "aws:kinesis/stream:Stream")[0], ({ encryptionType, kmsKeyId, ...rest }) => rest),
        },
        {
            title: "attach a wildcard policy to a Lambda role",
            rules: ["iam-no-wildcard-admin"],
            apply: (rs) => {
                const policy = targets(rs, "aws:iam/rolePolicy:RolePolicy")[0];
                return edited(rs, policy, (p) => ({ ...p, policy: doc(...(statements(p.policy) as any[]).map((s) => ({ Effect: s.Effect, Action: s.actions, Resource: s.resources })), { Effect: "Allow", Action: "*", Resource: "*" }) }));
            },
        },
        {
            title: "remove a cost tag from the data key",
            rules: ["cost-tags"],
            apply: (rs) => edited(rs, targets(rs, "aws:kms/key:Key")[0], (p) => ({ ...p, tags: { ...p.tags, "cost-center": undefined } })),
        },
        {
            title: "delete the MFA statement from the groups' policies",
            rules: ["iam-group-requires-mfa"],
            apply: (rs) => {
                const withGuard = targets(rs, ["aws:iam/groupPolicy:GroupPolicy", "aws:iam/policy:Policy"], (r) => String(r.inputs.policy).includes("MultiFactorAuthPresent"));
                const strip = (p: Record<string, any>) => {
                    const d = typeof p.policy === "string" ? JSON.parse(p.policy) : p.policy;
                    d.Statement = d.Statement.filter((s: any) => !JSON.stringify(s.Condition ?? {}).includes("MultiFactorAuthPresent"));
                    return { ...p, policy: JSON.stringify(d) };
                };
                return withGuard.reduce((acc, target) => edited(acc, acc.find((r) => r.urn === target.urn)!, strip), rs);
            },
        },
        {
            title: "make the registry database public",
            rules: ["rds-not-public"],
            apply: (rs) => edited(rs, targets(rs, "aws:rds/instance:Instance")[0], (p) => ({ ...p, publiclyAccessible: true })),
        },
        {
            title: "remove an API route's authorizer",
            rules: ["api-route-authorized"],
            apply: (rs) => edited(rs, targets(rs, "aws:apigatewayv2/route:Route")[0], ({ authorizerId, ...rest }) => ({ ...rest, authorizationType: "NONE" })),
        },
        {
            title: "remove the dead-letter queue of an asynchronously invoked function",
            rules: ["lambda-async-dlq"],
            apply: (rs) => edited(rs, targets(rs, "aws:lambda/function:Function", (r) => r.inputs.deadLetterConfig !== undefined)[0], ({ deadLetterConfig, ...rest }) => rest),
        },
        {
            title: "drop retention from a log group",
            rules: ["log-group-retention"],
            apply: (rs) => edited(rs, targets(rs, "aws:cloudwatch/logGroup:LogGroup")[0], ({ retentionInDays, ...rest }) => rest),
        },
    ];

    for (const m of mutations) {
        it(`${m.title}: only ${m.rules.join(", ")} fires`, async () => {
            const { resources, config } = await devStack();
            expect(blockingRules(m.apply(resources), config)).to.deep.equal(m.rules);
        });
    }
});
