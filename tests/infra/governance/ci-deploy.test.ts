import { expect } from "chai";
import { program, ofType, one, policyDoc } from "../../helpers/program";
import { ProgramRun, PlannedResource, runProgram } from "../../../scripts/lib/mock-run";
import { GOVERNANCE } from "./config";

const HOST = "token.actions.githubusercontent.com";
type Claims = Record<string, string>;

/**
 * Evaluates a trust statement's Condition against token claims the way STS does for the
 * operators in use: every operator and key must match; StringEquals is exact and
 * case-sensitive, StringLike treats * and ? as wildcards. Unknown operators fail closed.
 */
function trusts(statement: any, claims: Claims): boolean {
    return Object.entries<Record<string, string | string[]>>(statement.Condition ?? {}).every(([op, keys]) =>
        Object.entries(keys).every(([key, expected]) => {
            const actual = claims[key];
            if (actual === undefined) return false;
            const values = Array.isArray(expected) ? expected : [expected];
            if (op === "StringEquals") return values.includes(actual);
            if (op === "StringLike") return values.some((v) => new RegExp(`^${v.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(actual));
            return false;
        }));
}

const token = (sub: string, aud = "sts.amazonaws.com"): Claims => ({ [`${HOST}:sub`]: sub, [`${HOST}:aud`]: aud });
const trustOf = (role: PlannedResource) => policyDoc(role.inputs.assumeRolePolicy).Statement;
const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String);

describe("infra/governance: CI deploys through GitHub OIDC", () => {
    let run: ProgramRun;
    before(async () => { run = await program(GOVERNANCE); });

    it("registers GitHub's OIDC issuer for STS, without a pinned thumbprint", () => {
        const provider = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        expect(provider.inputs.url).to.equal(`https://${HOST}`);
        expect(provider.inputs.clientIdLists).to.deep.equal(["sts.amazonaws.com"]);
        expect(provider.inputs.thumbprintLists ?? []).to.deep.equal([]);
    });

    describe("deploy role trust", () => {
        const statement = () => {
            const s = trustOf(one(run, "aws:iam/role:Role", "ci-deploy"));
            expect(s).to.have.length(1);
            return s[0];
        };

        it("federates only GitHub's provider, for web identity", () => {
            const provider = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            expect(statement().Principal).to.deep.equal({ Federated: provider.state.arn });
            expect(statement().Action).to.equal("sts:AssumeRoleWithWebIdentity");
        });

        it("pins audience and subject with StringEquals", () => {
            expect(statement().Condition).to.deep.equal({
                StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com", [`${HOST}:sub`]: "repo:mdetect/pipeline:ref:refs/heads/release" },
            });
        });

        it("admits the configured branch of the configured repository", () => {
            expect(trusts(statement(), token("repo:mdetect/pipeline:ref:refs/heads/release"))).to.equal(true);
        });

        const rejected: [string, Claims][] = [
            ["another branch", token("repo:mdetect/pipeline:ref:refs/heads/main")],
            ["a branch named like it", token("repo:mdetect/pipeline:ref:refs/heads/release-evil")],
            ["a tag of the same name", token("repo:mdetect/pipeline:ref:refs/tags/release")],
            ["a pull request", token("repo:mdetect/pipeline:pull_request")],
            ["another repository", token("repo:mdetect/pipeline-fork:ref:refs/heads/release")],
            ["another owner", token("repo:evil/pipeline:ref:refs/heads/release")],
            ["a case variant of the repository", token("repo:MDETECT/pipeline:ref:refs/heads/release")],
            ["an environment job", token("repo:mdetect/pipeline:environment:prod")],
            ["another audience", token("repo:mdetect/pipeline:ref:refs/heads/release", "https://github.com/mdetect")],
            ["a token without audience", { [`${HOST}:sub`]: "repo:mdetect/pipeline:ref:refs/heads/release" }],
        ];
        for (const [what, claims] of rejected) {
            it(`refuses ${what}`, () => { expect(trusts(statement(), claims)).to.equal(false); });
        }
    });

    describe("preview role", () => {
        const role = () => one(run, "aws:iam/role:Role", "ci-preview");
        const policy = () => policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "ci-preview").inputs.policy).Statement;

        it("trusts pull requests of the repository only", () => {
            const [s] = trustOf(role());
            expect(trusts(s, token("repo:mdetect/pipeline:pull_request"))).to.equal(true);
            expect(trusts(s, token("repo:mdetect/pipeline:ref:refs/heads/release"))).to.equal(false);
            expect(trusts(s, token("repo:other/pipeline:pull_request"))).to.equal(false);
        });

        it("may only describe, list and get, and never read data", () => {
            const allowed = policy().filter((s) => s.Effect === "Allow").flatMap((s) => asList(s.Action));
            expect(allowed.filter((a) => !/^[\w-]+:(Describe|List|Get)/.test(a))).to.deep.equal([]);
            const denied = policy().filter((s) => s.Effect === "Deny").flatMap((s) => asList(s.Action));
            expect(denied).to.include.members(["s3:GetObject", "kinesis:GetRecords", "secretsmanager:GetSecretValue", "logs:GetLogEvents"]);
        });
    });

    describe("permissions", () => {
        const roles = () => ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.startsWith("ci-"));

        it("never allows an action wildcard on \"*\"", () => {
            for (const p of roles()) {
                for (const s of policyDoc(p.inputs.policy).Statement.filter((x: any) => x.Effect === "Allow")) {
                    if (asList(s.Resource).includes("*")) expect(asList(s.Action).filter((a) => a.includes("*")), `${p.name} ${s.Sid}`).to.deep.equal([]);
                }
            }
        });

        it("confines the deploy role to this account and region, and forbids keys and stopping the trail", () => {
            const doc = policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "ci-deploy").inputs.policy).Statement;
            const manage = doc.find((s: any) => s.Sid === "ManageStackServices");
            for (const r of asList(manage.Resource)) expect(r).to.match(/^arn:aws:(\*:ap-southeast-2:123456789012:|iam::123456789012:|budgets::123456789012:|cloudwatch::123456789012:dashboard|s3:::|apigateway:ap-southeast-2::)/);
            const denied = doc.filter((s: any) => s.Effect === "Deny").flatMap((s: any) => asList(s.Action));
            expect(denied).to.include.members(["iam:CreateAccessKey", "iam:CreateLoginProfile", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]);
        });

        it("covers every AWS service the program declares resources in", () => {
            const doc = policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "ci-deploy").inputs.policy).Statement;
            const granted = new Set(doc.find((s: any) => s.Sid === "ManageStackServices").Action.map((a: string) => a.split(":")[0]));
            // Pulumi module -> IAM service prefix where they differ.
            const prefix: Record<string, string> = { apigatewayv2: "apigateway", cognito: "cognito-idp", vpc: "ec2" };
            const services = new Set(run.resources.filter((r) => r.custom && r.type.startsWith("aws:")).map((r) => r.type.split(":")[1].split("/")[0]));
            const missing = [...services].map((s) => prefix[s] ?? s).filter((s) => !granted.has(s));
            expect(missing).to.deep.equal([]);
        });

        it("exports both role ARNs", () => {
            expect(run.outputs.deployRoleArn).to.equal(one(run, "aws:iam/role:Role", "ci-deploy").state.arn);
            expect(run.outputs.previewRoleArn).to.equal(one(run, "aws:iam/role:Role", "ci-preview").state.arn);
        });
    });

    it("refuses a repository that is not owner/name", async () => {
        let error: unknown;
        try { await runProgram({ config: { "mdetect:githubRepository": "pipeline" } }); } catch (e) { error = e; }
        expect(String(error)).to.match(/githubRepository must be owner\/name/);
    });
});
