import { expect } from "chai";
import { program, ofType, one, policyDoc } from "../../helpers/program";
import { runProgram, ProgramRun, PlannedResource } from "../../../scripts/lib/mock-run";
import { GOVERNANCE } from "./config";

const GROUPS = ["admins", "data-engineers", "analysts"];
/** IAM's limit on the inline policies of one group, together. */
const GROUP_INLINE_POLICY_MAX_CHARS = 5120;

const statements = (r: PlannedResource) => policyDoc(r.inputs.policy).Statement;
const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String);

describe("infra/governance: people access", () => {
    let run: ProgramRun;
    before(async () => { run = await program(GOVERNANCE); });

    describe("MFA policy", () => {
        // What the policy allows and denies (own user with its path, enrollment, no MFA, long-term
        // keys) is proven by evaluation in access.iam.test.ts, not by reading its JSON here.
        it("is attached to every group", () => {
            const policyArn = one(run, "aws:iam/policy:Policy", "require-mfa").state.arn;
            const attached = ofType(run, "aws:iam/groupPolicyAttachment:GroupPolicyAttachment").filter((a) => a.inputs.policyArn === policyArn);
            expect(attached.map((a) => a.inputs.group)).to.have.members(GROUPS);
            expect(ofType(run, "aws:iam/group:Group").map((g) => g.inputs.name)).to.have.members(GROUPS);
        });
    });

    describe("users", () => {
        it("creates the configured users, each only in its groups", () => {
            expect(ofType(run, "aws:iam/user:User").map((u) => u.inputs.name)).to.have.members(["alice", "bob", "carol.oneil"]);
            const memberships = Object.fromEntries(ofType(run, "aws:iam/userGroupMembership:UserGroupMembership").map((m) => [m.inputs.user, m.inputs.groups]));
            expect(memberships).to.deep.equal({ alice: ["admins", "analysts"], bob: ["data-engineers"], "carol.oneil": ["analysts"] });
        });

        it("gives users no permissions of their own and no credentials", () => {
            for (const type of ["aws:iam/userPolicy:UserPolicy", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment",
                "aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile", "aws:iam/serviceSpecificCredential:ServiceSpecificCredential"]) {
                expect(ofType(run, type), type).to.deep.equal([]);
            }
        });

        it("creates no access key anywhere in the stack, with or without users", async () => {
            const plain = await program();
            expect(plain.resources.filter((r) => /accessKey|loginProfile/i.test(r.type))).to.deep.equal([]);
            expect(ofType(plain, "aws:iam/user:User")).to.deep.equal([]);
        });

        const bad: [string[], RegExp][] = [
            [["alice"], /name=group1\+group2/],
            [["alice=owners"], /unknown group "owners"/],
            [["alice=admins+admins"], /group twice/],
            [["alice=admins", "ALICE=analysts"], /user alice twice/i],
            [["al ice=admins"], /not a valid IAM user name/],
            [["alice="], /name=group1\+group2/],
        ];
        for (const [users, message] of bad) {
            it(`refuses iamUsers ${JSON.stringify(users)}`, async () => {
                let error: unknown;
                try { await runProgram({ config: { "mdetect:iamUsers": users } }); } catch (e) { error = e; }
                expect(String(error)).to.match(message);
            });
        }
    });

    describe("password policy", () => {
        it("requires 14+ characters of every class, blocks reuse of 24, expires at the configured age", () => {
            const policy = one(run, "aws:iam/accountPasswordPolicy:AccountPasswordPolicy");
            expect(policy.inputs.minimumPasswordLength).to.be.at.least(14);
            expect(policy.inputs).to.include({
                requireLowercaseCharacters: true, requireUppercaseCharacters: true, requireNumbers: true, requireSymbols: true,
                passwordReusePrevention: 24, maxPasswordAge: 60, allowUsersToChangePassword: true,
            });
        });
    });

    describe("group policies", () => {
        const groupPolicy = (group: string) => statements(one(run, "aws:iam/groupPolicy:GroupPolicy", `${group}-access`));
        const bucketArn = () => `arn:aws:s3:::${run.outputs.dataLakeBucket}`;

        it("lets analysts read curated/ and findings/ only, and decrypt only through S3", () => {
            const s = groupPolicy("analysts");
            const actions = s.flatMap((x) => asList(x.Action));
            expect(actions).to.have.members(["s3:ListBucket", "s3:GetObject", "kms:Decrypt"]);
            const get = s.find((x) => asList(x.Action).includes("s3:GetObject"));
            expect(asList(get.Resource)).to.have.members([`${bucketArn()}/curated/*`, `${bucketArn()}/findings/*`]);
            const list = s.find((x) => asList(x.Action).includes("s3:ListBucket"));
            expect(list.Resource).to.equal(bucketArn());
            expect(list.Condition.StringLike["s3:prefix"]).to.have.members(["curated/", "curated/*", "findings/", "findings/*"]);
            const kms = s.find((x) => asList(x.Action).includes("kms:Decrypt"));
            expect(kms.Resource).to.equal(run.outputs.dataKeyArn);
            expect(kms.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "s3.ap-southeast-2.amazonaws.com" } });
        });

        it("lets data engineers work the data lake, inspect the streams and read every log group of the stack", () => {
            const s = groupPolicy("data-engineers");
            const logs = s.find((x) => x.Sid === "ReadPipelineLogs");
            const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.state.arn);
            expect(groups.length).to.be.greaterThan(0);
            expect(asList(logs.Resource)).to.include.members(groups.map((arn) => `${arn}*`));
            const writes = s.find((x) => asList(x.Action).includes("s3:PutObject"));
            expect(asList(writes.Resource).every((r) => r.startsWith(`${bucketArn()}/`))).to.equal(true);
            expect(s.find((x) => x.Sid === "InspectStreams").Resource).to.deep.equal([one(run, "aws:kinesis/stream:Stream").state.arn]);
        });

        it("never allows every action on every resource, nor an action wildcard on \"*\"", () => {
            for (const p of [...ofType(run, "aws:iam/groupPolicy:GroupPolicy"), one(run, "aws:iam/policy:Policy", "require-mfa")]) {
                for (const s of statements(p).filter((x) => x.Effect === "Allow")) {
                    const actions = asList(s.Action);
                    expect(actions, `${p.name} ${s.Sid}`).to.not.include("*");
                    if (asList(s.Resource).includes("*")) expect(actions.filter((a) => a.includes("*")), `${p.name} ${s.Sid}`).to.deep.equal([]);
                }
            }
        });

        it("keeps admins to this account's resources", () => {
            const admin = groupPolicy("admins").find((x) => x.Sid === "ReadStackConfiguration");
            for (const r of asList(admin.Resource)) expect(r).to.match(/^arn:aws:(\*:ap-southeast-2:123456789012|iam::123456789012|budgets::123456789012|cloudwatch::123456789012|s3::|apigateway:ap-southeast-2:)/);
        });

        it("fits each group's inline policy in IAM's size limit", () => {
            for (const p of ofType(run, "aws:iam/groupPolicy:GroupPolicy")) {
                expect(JSON.stringify(JSON.parse(p.inputs.policy)).length, p.name).to.be.below(GROUP_INLINE_POLICY_MAX_CHARS);
            }
        });

        it("attaches no AWS-managed policy to anyone", () => {
            const attachments = ["aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]
                .flatMap((t) => ofType(run, t));
            expect(attachments.filter((a) => String(a.inputs.policyArn).startsWith("arn:aws:iam::aws:policy/"))).to.deep.equal([]);
        });
    });
});
