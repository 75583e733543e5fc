/**
 * CI roles, structure only. Who may assume them and what they may do is proven by evaluation
 * in ci-deploy.iam.test.ts (GitHub's token claims against the trust policies, the plan's calls).
 */
import { expect } from "chai";
import { program, ofType, one, policyDoc } from "../../helpers/program";
import { ProgramRun, runProgram } from "../../../scripts/lib/mock-run";
import { GOVERNANCE } from "./config";

const HOST = "token.actions.githubusercontent.com";
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

    it("defaults the deploy environment to the stack name, as deploy.yml names it", async () => {
        const plain = await program();
        const trust = policyDoc(one(plain, "aws:iam/role:Role", "ci-deploy").inputs.assumeRolePolicy).Statement[0];
        expect(trust.Condition.StringEquals[`${HOST}:sub`]).to.equal("repo:mdetect/mdetect-pipeline:environment:dev");
    });

    it("gives every role of the stack the deploy boundary", () => {
        const boundary = one(run, "aws:iam/policy:Policy", "role-boundary");
        const roles = ofType(run, "aws:iam/role:Role");
        expect(roles.length).to.be.greaterThan(5);
        for (const role of roles) expect(role.inputs.permissionsBoundary, role.name).to.equal(`arn:aws:iam::123456789012:policy${boundary.inputs.path}${boundary.inputs.name}`);
    });

    it("never allows an action wildcard on \"*\"", () => {
        for (const p of ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((x) => x.name.startsWith("ci-"))) {
            for (const s of policyDoc(p.inputs.policy).Statement.filter((x: any) => x.Effect === "Allow")) {
                if (asList(s.Resource).includes("*")) expect(asList(s.Action).filter((a) => a.includes("*")), `${p.name} ${s.Sid}`).to.deep.equal([]);
            }
        }
    });

    it("exports both role ARNs", () => {
        expect(run.outputs.deployRoleArn).to.equal(one(run, "aws:iam/role:Role", "ci-deploy").state.arn);
        expect(run.outputs.previewRoleArn).to.equal(one(run, "aws:iam/role:Role", "ci-preview").state.arn);
    });

    it("refuses a repository that is not owner/name", async () => {
        let error: unknown;
        try { await runProgram({ config: { "mdetect:githubRepository": "pipeline" } }); } catch (e) { error = e; }
        expect(String(error)).to.match(/githubRepository must be owner\/name/);
    });
});
