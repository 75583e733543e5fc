/**
 * IAM proven by evaluation. Resolves every principal of a mock run to the policies AWS would
 * apply (identity policies from groups, users and roles, attached managed policies, permissions
 * boundaries) and every resource to its resource policy (bucket, key, topic, queue, or the role's
 * trust policy for sts:AssumeRole*), then asks @cloud-copilot/iam-simulate for the decision.
 *
 * Tables read `principal, action, resource, context -> decision`. Resources may name plan
 * resources with tokens, resolved against the run: `<bucket:data-lake>/curated/a.csv`, `<key>`,
 * `<role:ci-deploy>`, `<user:alice>`, `<topic:ops>`, `<queue:batch-dlq>`, `<fn:api-read>`, `<endpoint>`,
 * `<log:api-read>`, `<stream>`, `<trail>`, `<policy:require-mfa>`, `<account>`, `<region>`,
 * `<dbuser:mdetect_reader>` (that database user on the registry instance, by its resource id).
 */
import { expect } from "chai";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PlannedResource, ProgramRun } from "../../scripts/lib/mock-run";
import { evaluatedContextKey, withEncryptionContextKeys } from "../../scripts/lib/local/iam";
import { authorizeUnvalidated } from "../../policy/lib/iam";
import { PROGRAM_RUN_TIMEOUT_MS, program } from "./program";

export type Decision = "Allow" | "Deny" | "ExplicitDeny";
export type Context = Readonly<Record<string, string | string[]>>;
/** principal, action, resource, context, expected decision */
export type Row = readonly [principal: string, action: string, resource: string, context: Context, expected: Decision];

/** A console or CLI session signed in with MFA five minutes ago. */
export const MFA: Context = { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300" };
/** A console session signed in with a password only. */
export const NO_MFA: Context = { "aws:MultiFactorAuthPresent": "false" };
/** A request signed with a long-term access key: IAM sends no MFA key at all. */
export const ACCESS_KEY: Context = {};
export const NONE: Context = {};

const GITHUB = "token.actions.githubusercontent.com";
/** A GitHub Actions OIDC token as STS sees it: the claims IAM exposes as condition keys. */
export function githubToken(sub: string, aud = "sts.amazonaws.com"): Context {
    return { [`${GITHUB}:sub`]: sub, [`${GITHUB}:aud`]: aud };
}

type Policy = { Version?: string; Statement: any[] };
/** The mock's fake state spells a few ARNs in no real format; AWS's format, in policies and rows alike. */
const realArns = (text: string): string => text.replace(/arn:aws:kinesis:([^:]*):(\d+):firehoseDeliveryStream\//g, "arn:aws:firehose:$1:$2:deliverystream/");
const parse = (v: unknown): Policy => JSON.parse(realArns(typeof v === "string" ? v : JSON.stringify(v))) as Policy;

let evaluated = 0;
/** Requests evaluated so far in this process (all tables). */
export function evaluatedRequests(): number {
    return evaluated;
}

export interface Principal {
    readonly arn: string;
    readonly identityPolicies: { name: string; policy: Policy }[];
    readonly boundaries?: { name: string; policy: Policy }[];
    readonly context: Context;
}

export class PlanIam {
    readonly account: string;
    readonly region: string;
    readonly partition = "aws";

    constructor(readonly run: ProgramRun) {
        this.account = String(this.find("aws:kms/key:Key", "").state.arn).split(":")[4];
        this.region = String(run.config["aws:region"] ?? run.outputs.region);
    }

    private all(type: string): PlannedResource[] {
        return this.run.resources.filter((r) => r.type === type);
    }

    /** The one resource of `type` whose name includes `name` (an exact name wins). */
    find(type: string, name: string): PlannedResource {
        const found = this.all(type).filter((r) => r.name.includes(name));
        const exact = found.filter((r) => r.name === name);
        if (exact.length === 1) return exact[0];
        if (found.length !== 1) throw new Error(`expected one ${type} named *${name}*, found ${found.map((r) => r.name).join(", ") || "none"}`);
        return found[0];
    }

    /** IAM ARNs carry the path (`user/mdetect/alice`); the mock's state omits it, so build it. */
    private iamArn(kind: "user" | "role" | "group" | "policy", r: PlannedResource): string {
        const path = r.inputs.path ?? "/";
        const name = r.inputs.name ?? r.state.name ?? String(r.state.arn).split("/").pop();
        return `arn:${this.partition}:iam::${this.account}:${kind}${path}${name}`;
    }

    private managedPolicy(arn: string): Policy | undefined {
        const p = this.all("aws:iam/policy:Policy").find((x) => x.state.arn === arn || this.iamArn("policy", x) === arn);
        return p && parse(p.inputs.policy);
    }

    private refersTo(value: unknown, r: PlannedResource): boolean {
        return value === r.state.id || value === r.state.name || value === r.inputs.name || value === r.state.arn;
    }

    /** Identity-based policies of an IAM user: its own and its groups' (inline and attached). */
    private userPolicies(user: PlannedResource): { name: string; policy: Policy }[] {
        const out: { name: string; policy: Policy }[] = [];
        const groups = this.all("aws:iam/userGroupMembership:UserGroupMembership")
            .filter((m) => this.refersTo(m.inputs.user, user)).flatMap((m) => m.inputs.groups as string[]);
        for (const group of this.all("aws:iam/group:Group").filter((g) => groups.some((n) => this.refersTo(n, g)))) {
            for (const gp of this.all("aws:iam/groupPolicy:GroupPolicy").filter((p) => this.refersTo(p.inputs.group, group))) out.push({ name: gp.name, policy: parse(gp.inputs.policy) });
            for (const a of this.all("aws:iam/groupPolicyAttachment:GroupPolicyAttachment").filter((p) => this.refersTo(p.inputs.group, group))) {
                const doc = this.managedPolicy(a.inputs.policyArn);
                if (!doc) throw new Error(`${a.name}: attached policy ${a.inputs.policyArn} is not in the plan`);
                out.push({ name: a.name, policy: doc });
            }
        }
        for (const up of this.all("aws:iam/userPolicy:UserPolicy").filter((p) => this.refersTo(p.inputs.user, user))) out.push({ name: up.name, policy: parse(up.inputs.policy) });
        return out;
    }

    private rolePolicies(role: PlannedResource): { name: string; policy: Policy }[] {
        const out = (role.inputs.inlinePolicies ?? []).map((p: any, i: number) => ({ name: `${role.name}-inline-${i}`, policy: parse(p.policy) }));
        for (const rp of this.all("aws:iam/rolePolicy:RolePolicy").filter((p) => this.refersTo(p.inputs.role, role))) out.push({ name: rp.name, policy: parse(rp.inputs.policy) });
        for (const a of this.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((p) => this.refersTo(p.inputs.role, role))) {
            const doc = this.managedPolicy(a.inputs.policyArn);
            if (!doc) throw new Error(`${a.name}: attached policy ${a.inputs.policyArn} is not in the plan (AWS-managed policies are not allowed)`);
            out.push({ name: a.name, policy: doc });
        }
        return out;
    }

    /**
     * `user:alice`, `role:ci-deploy` (plan names), `service:lambda.amazonaws.com`, `oidc:github`
     * (GitHub's provider, planned or configured), or an ARN of another account.
     */
    principal(ref: string): Principal {
        const [kind, name] = ref.split(/:(.*)/s);
        if (kind === "user") {
            const user = this.find("aws:iam/user:User", `user-${name}`);
            return { arn: this.iamArn("user", user), identityPolicies: this.userPolicies(user), context: { "aws:username": user.inputs.name } };
        }
        if (kind === "role") {
            const role = this.find("aws:iam/role:Role", name);
            const boundary = role.inputs.permissionsBoundary ? this.managedPolicy(role.inputs.permissionsBoundary) : undefined;
            if (role.inputs.permissionsBoundary && !boundary) throw new Error(`${role.name}: boundary ${role.inputs.permissionsBoundary} is not in the plan`);
            return { arn: this.roleArn(role), identityPolicies: this.rolePolicies(role), boundaries: boundary && [{ name: "boundary", policy: boundary }], context: {} };
        }
        if (kind === "service") return { arn: name, identityPolicies: [], context: {} };
        if (kind === "oidc") return { arn: this.githubProviderArn(), identityPolicies: [], context: {} };
        if (ref.startsWith("arn:")) return { arn: ref, identityPolicies: [], context: {} };
        throw new Error(`unknown principal ${ref}`);
    }

    private roleArn(role: PlannedResource): string {
        return role.state.arn;
    }

    githubProviderArn(): string {
        const planned = this.all("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        if (planned.length === 1) return planned[0].state.arn;
        const configured = this.run.config["mdetect:githubOidcProviderArn"];
        if (!configured) throw new Error("no GitHub OIDC provider planned or configured");
        return String(configured);
    }

    /** Replaces `<kind:name>` tokens with the plan's ARNs. */
    resolve(text: string): string {
        return text.replace(/<([a-z]+)(?::([^>]*))?>/g, (_, kind: string, name = "") => {
            switch (kind) {
                case "account": return this.account;
                case "region": return this.region;
                case "bucket": return `arn:${this.partition}:s3:::${this.find("aws:s3/bucket:Bucket", name).state.bucket}`;
                case "key": return this.find("aws:kms/key:Key", name).state.arn;
                case "role": return this.roleArn(this.find("aws:iam/role:Role", name));
                case "user": return this.iamArn("user", this.find("aws:iam/user:User", `user-${name}`));
                case "group": return this.iamArn("group", this.find("aws:iam/group:Group", name));
                case "policy": return this.iamArn("policy", this.find("aws:iam/policy:Policy", name));
                case "topic": return this.find("aws:sns/topic:Topic", name).state.arn;
                case "queue": return this.find("aws:sqs/queue:Queue", name).state.arn;
                case "fn": return this.find("aws:lambda/function:Function", name).state.arn;
                case "endpoint": return this.find("aws:sagemaker/endpoint:Endpoint", name).state.arn;
                case "log": return this.find("aws:cloudwatch/logGroup:LogGroup", name).state.arn.replace(/:\*$/, "");
                case "stream": return this.find("aws:kinesis/stream:Stream", name).state.arn;
                case "firehose": return realArns(this.find("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", name).state.arn);
                case "trail": return this.find("aws:cloudtrail/trail:Trail", name).state.arn;
                case "secret": return String(this.find("aws:rds/instance:Instance", name).state.masterUserSecrets?.[0]?.secretArn);
                case "oidc": return this.githubProviderArn();
                case "dbuser": return `arn:${this.partition}:rds-db:${this.region}:${this.account}:dbuser:${this.find("aws:rds/instance:Instance", "registry").state.resourceId}/${name}`;
                default: throw new Error(`unknown token <${kind}>`);
            }
        });
    }

    /** A bucket's default encryption, as planned. */
    bucketEncryption(bucketName: string): { sseAlgorithm: string; kmsMasterKeyId: string; bucketKeyEnabled: boolean } | undefined {
        const bucket = this.all("aws:s3/bucket:Bucket").find((b) => b.state.bucket === bucketName);
        const config = bucket && this.all("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
            .find((c) => this.refersTo(c.inputs.bucket, bucket) || c.inputs.bucket === bucketName);
        const [rule] = config?.inputs.rules ?? [];
        return rule && { ...rule.applyServerSideEncryptionByDefault, bucketKeyEnabled: rule.bucketKeyEnabled };
    }

    /** The key a topic, or an RDS-managed master secret, is encrypted with, as planned. */
    encryptionKey(arn: string): string | undefined {
        const topic = this.all("aws:sns/topic:Topic").find((t) => t.state.arn === arn);
        if (topic) return topic.inputs.kmsMasterKeyId;
        return this.all("aws:rds/instance:Instance").find((i) => i.state.masterUserSecrets?.[0]?.secretArn === arn)?.inputs.masterUserSecretKmsKeyId;
    }

    /** The resource-based policy that governs `action` on `arn`, if any. */
    resourcePolicy(action: string, arn: string): Policy | undefined {
        const service = action.split(":")[0];
        if (service === "sts" && /^sts:AssumeRole/.test(action)) {
            const role = this.all("aws:iam/role:Role").find((r) => this.roleArn(r) === arn);
            return role && parse(role.inputs.assumeRolePolicy);
        }
        if (service === "s3" && arn.startsWith("arn:aws:s3:::")) {
            const bucketName = arn.slice("arn:aws:s3:::".length).split("/")[0];
            const bucket = this.all("aws:s3/bucket:Bucket").find((b) => b.state.bucket === bucketName);
            const policy = bucket && this.all("aws:s3/bucketPolicy:BucketPolicy").find((p) => this.refersTo(p.inputs.bucket, bucket) || p.inputs.bucket === bucketName);
            return policy && parse(policy.inputs.policy);
        }
        if (service === "kms") {
            const key = this.all("aws:kms/key:Key").find((k) => k.state.arn === arn);
            // A key outside the plan (the Pulumi secrets key) is assumed to carry KMS's default
            // key policy, which delegates to this account's IAM policies.
            return key ? parse(key.inputs.policy) : {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${this.account}:root` }, Action: "kms:*", Resource: "*" }],
            };
        }
        if (service === "sns") {
            const policy = this.all("aws:sns/topicPolicy:TopicPolicy").find((p) => p.inputs.arn === arn);
            return policy && parse(policy.inputs.policy);
        }
        if (service === "sqs") {
            const queue = this.all("aws:sqs/queue:Queue").find((q) => q.state.arn === arn);
            const policy = queue && this.all("aws:sqs/queuePolicy:QueuePolicy").find((p) => p.inputs.queueUrl === queue.state.url);
            return policy && parse(policy.inputs.policy);
        }
        return undefined;
    }

    /** Evaluates one row; `detail` explains the decisive statements for a failing assertion. */
    async evaluate(row: Row): Promise<{ decision: Decision; detail: string }> {
        const [who, action, resourceText, context] = row;
        const principal = this.principal(who);
        const resource = this.resolve(resourceText);
        const contextVariables: Record<string, string | string[]> = {
            "aws:SecureTransport": "true", ...principal.context,
            ...Object.fromEntries(Object.entries(context).map(([k, v]) => [evaluatedContextKey(k), Array.isArray(v) ? v.map((x) => this.resolve(x)) : this.resolve(v as string)])),
        };
        // The local cloud's workaround (scripts/lib/local/iam.ts, docs/local.md "Evaluator
        // workaround"): the simulator drops kms:EncryptionContext:<key> values, so those keys are
        // renamed, in policies and context alike, to a key form it evaluates.
        const renamed = (p: Policy): Policy => withEncryptionContextKeys(p as any) as unknown as Policy;
        const resourcePolicy = this.resourcePolicy(action, resource);
        const simulation = {
            request: { principal: principal.arn, action, resource: { resource, accountId: this.account }, contextVariables },
            identityPolicies: principal.identityPolicies.map((p) => ({ name: p.name, policy: renamed(p.policy) })),
            permissionBoundaryPolicies: principal.boundaries?.map((p) => ({ name: p.name, policy: renamed(p.policy) })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: resourcePolicy && renamed(resourcePolicy),
        };
        evaluated++;
        let result: string;
        let analysis: unknown;
        if (action === "sts:AssumeRoleWithWebIdentity") {
            // iam-data lists only provider-specific claims for this action, not the `aud`/`sub`
            // keys IAM documents for every OIDC provider, so the validating entry point would
            // drop them; the unvalidated core evaluates them exactly as written.
            const r = authorizeUnvalidated(simulation);
            result = r.result;
            analysis = r;
        } else {
            const r = await runSimulation(simulation, {});
            if (r.resultType === "error") throw new Error(`invalid request ${JSON.stringify(row)}: ${JSON.stringify(r.errors)}`);
            // "*" for an action with resource types: every pattern must allow (overallResult).
            const results: any[] = r.resultType === "single" ? [r.result] : r.results;
            // A context key the simulator ignores would make the row vacuous: refuse it.
            const ignored = results.flatMap((x) => x.ignoredContextKeys ?? []).filter((k: string) => Object.keys(context).some((c) => evaluatedContextKey(c).toLowerCase() === k.toLowerCase()));
            if (ignored.length) throw new Error(`context keys ${ignored.join(", ")} do not apply to ${action} on ${resource}`);
            result = r.overallResult;
            analysis = results.map((x) => x.analysis);
        }
        const decision: Decision = result === "Allowed" ? "Allow" : result === "ExplicitlyDenied" ? "ExplicitDeny" : "Deny";
        return { decision, detail: `${who} ${action} ${resource}: ${result}\n${JSON.stringify(analysis, decisiveOnly, 1).slice(0, 4000)}` };
    }
}

function decisiveOnly(key: string, value: unknown): unknown {
    return key === "unmatchedStatements" || key === "explain" ? undefined : value;
}

function contextLabel(context: Context): string {
    if (context === MFA) return "with MFA";
    if (context === NO_MFA) return "password only";
    if (context === ACCESS_KEY || Object.keys(context).length === 0) return "-";
    return Object.entries(context).map(([k, v]) => `${k}=${v}`).join(" ");
}

/** "Deny" accepts implicit and explicit denials; "ExplicitDeny" requires a Deny statement. */
function satisfies(actual: Decision, expected: Decision): boolean {
    return expected === "Deny" ? actual !== "Allow" : actual === expected;
}

/**
 * One mocha test per row, evaluated against the plan of `config`. Rows may also be built from
 * the run (derived tables) with `rowsFrom`.
 */
export function iamTable(title: string, config: Record<string, unknown>, rows: readonly Row[] | ((iam: PlanIam) => readonly Row[] | Promise<readonly Row[]>)): void {
    describe(`IAM: ${title}`, () => {
        let iam: PlanIam;
        before(async function () {
            this.timeout(Math.max(this.timeout(), PROGRAM_RUN_TIMEOUT_MS));
            iam = new PlanIam(await program(config));
        });
        if (typeof rows === "function") {
            it("every derived request gets its expected decision", async () => {
                const failures: string[] = [];
                const built = await rows(iam);
                expect(built.length, "derived rows").to.be.greaterThan(0);
                for (const row of built) {
                    const { decision, detail } = await iam.evaluate(row);
                    if (!satisfies(decision, row[4])) failures.push(`${rowTitle(row)} but was ${decision}\n${detail.split("\n")[0]}`);
                }
                expect(failures, failures.join("\n")).to.deep.equal([]);
            });
            return;
        }
        for (const row of rows) {
            it(rowTitle(row), async () => {
                const { decision, detail } = await iam.evaluate(row);
                expect(satisfies(decision, row[4]), detail).to.equal(true);
            });
        }
    });
}

export function rowTitle([who, action, resource, context, expected]: Row): string {
    return `${who}  ${action}  ${resource}  [${contextLabel(context)}] -> ${expected}`;
}

export async function planIam(config: Record<string, unknown> = {}): Promise<PlanIam> {
    return new PlanIam(await program(config));
}

// The acceptance figure: print how many requests the tables of this run evaluated.
if (typeof after === "function") {
    after(() => { if (evaluated) console.log(`      IAM tables: ${evaluated} requests evaluated`); });
}
