import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { program, one } from "../helpers/program";
import { ROOT } from "../../scripts/lib/mock-run";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const workflows = Object.fromEntries(fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"))
    .map((f) => [f, YAML.parse(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"))]));
const jobs = Object.entries(workflows).flatMap(([file, wf]) => Object.entries<any>(wf.jobs).map(([id, job]) => ({ file, id, job })));
const steps = jobs.flatMap(({ file, id, job }) => (job.steps ?? []).map((step: any) => ({ file, id, job, step })));
const credentialSteps = steps.filter(({ step }) => String(step.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));
const docs = ["deployment.md", "ci.md"].map((f) => fs.readFileSync(path.join(ROOT, "docs", f), "utf8")).join("\n");

/** Which CiDeploy role each variable holds (infra/governance/ci-deploy.ts). */
const ROLE_OF_VARIABLE: Record<string, string> = { AWS_DEPLOY_ROLE_ARN: "ci-deploy", AWS_PREVIEW_ROLE_ARN: "ci-preview" };

function roleVariable(step: any): string {
    const match = /\$\{\{\s*vars\.(\w+)\s*\}\}/.exec(step.with?.["role-to-assume"] ?? "");
    if (!match) throw new Error(`role-to-assume is not a repository/environment variable: ${step.with?.["role-to-assume"]}`);
    return match[1];
}

describe("CI workflows against GitHub's and AWS's rules", () => {
    it("upload-sarif is codeql-action v4 (v3 is being retired)", () => {
        const codeql = steps.filter(({ step }) => String(step.uses ?? "").startsWith("github/codeql-action/"));
        expect(codeql).to.have.length.greaterThan(0);
        for (const { step } of codeql) expect(step.uses).to.match(/@v4$/);
    });

    it("each assumed role's session fits its maxSessionDuration, the deploy's covering a long first deploy", async () => {
        const run = await program();
        expect(credentialSteps).to.have.length.greaterThan(1);
        for (const { file, id, step } of credentialSteps) {
            const variable = roleVariable(step);
            const role = one(run, "aws:iam/role:Role", ROLE_OF_VARIABLE[variable]);
            const seconds = Number(step.with["role-duration-seconds"]);
            // AssumeRoleWithWebIdentity refuses DurationSeconds above the role's MaxSessionDuration.
            expect(seconds, `${file} ${id}`).to.be.within(900, role.inputs.maxSessionDuration ?? 3600);
            if (variable === "AWS_DEPLOY_ROLE_ARN") expect(seconds, `${file} ${id}`).to.be.at.least(2 * 3600);
        }
    });

    it("the deploy job runs in a GitHub environment named after its stack, and deploys every stack", () => {
        const deploys = credentialSteps.filter(({ step }) => roleVariable(step) === "AWS_DEPLOY_ROLE_ARN");
        expect(deploys).to.have.length.greaterThan(0);
        for (const { job } of deploys) expect(job.environment, "token subject repo:<repo>:environment:<name>").to.equal("${{ inputs.stack }}");
        const called = jobs.filter(({ job }) => job.uses === "./.github/workflows/pulumi-up.yml").map(({ job }) => job.with.stack);
        const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
        expect(called.sort()).to.deep.equal(stacks.sort());
    });

    it("one variable name per role ARN in workflows and docs", () => {
        const inWorkflows = new Set(credentialSteps.map(({ step }) => roleVariable(step)));
        const inDocs = new Set(docs.match(/\b[A-Z_]+_ROLE_ARN\b/g) ?? []);
        expect([...inWorkflows].sort()).to.deep.equal(Object.keys(ROLE_OF_VARIABLE).sort());
        expect([...inDocs].sort()).to.deep.equal([...inWorkflows].sort());
    });
});
