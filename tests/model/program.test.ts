import { expect } from "chai";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { MODELS_PREFIX } from "../../infra/inference";
import { SKLEARN_REGISTRY_ACCOUNTS, sklearnImageUri } from "../../infra/sagemaker-image";
import { fromProgramRun } from "../../scripts/lib/policy-input";
import { checkStack } from "../../scripts/lib/policy-run";
import { renderPlan, toPlan } from "../../scripts/lib/plan";
import { ProgramRun } from "../../scripts/lib/mock-run";
import { program, one } from "../helpers/program";
import { skipWithoutPython, trainedArtifact } from "./trained";

describe("program: mdetect:modelArtifact set to a packaged model.tar.gz", function () {
    let run: ProgramRun;
    let artifact: string;
    before(async function () {
        skipWithoutPython(this);
        artifact = (await trainedArtifact()).artifact;
        run = await program({ "mdetect:modelArtifact": artifact });
    });

    it("uploads it to the data lake under models/<content hash>/, KMS-encrypted and cost-tagged", () => {
        const object = one(run, "aws:s3/bucketObjectv2:BucketObjectv2", "artifact");
        const digest = createHash("sha256").update(fs.readFileSync(artifact)).digest("hex").slice(0, 16);
        expect(object.inputs.key).to.equal(`${MODELS_PREFIX}${digest}/model.tar.gz`);
        expect(object.inputs.serverSideEncryption).to.equal("aws:kms");
        expect(object.inputs.kmsKeyId).to.be.a("string").and.not.equal("");
        expect(Object.keys(object.inputs.tags ?? {})).to.include.members(["project", "environment", "cost-center", "owner"]);
    });

    it("passes the policy pack with the artifact, model, endpoint config and endpoint in the stack", () => {
        const result = checkStack(fromProgramRun(run), "dev", run.config);
        expect(result.blocking, JSON.stringify(result.blocking)).to.deep.equal([]);
        expect(result.findings.filter((f) => JSON.stringify(f).includes("artifact")), "no rule even warns about the artifact").to.deep.equal([]);
    });

    it("shows the model with the region's scikit-learn 1.2-1 image, its endpoint config and endpoint in the plan", () => {
        const region = String(run.config["aws:region"]);
        expect(SKLEARN_REGISTRY_ACCOUNTS[region], region).to.be.a("string");
        const text = renderPlan(toPlan(run));
        expect(text).to.include(`primaryContainer.image=${sklearnImageUri(region)}`);
        expect(text).to.include(`primaryContainer.environment.SAGEMAKER_PROGRAM=inference.py`);
        expect(text).to.match(/- aws:sagemaker\/endpointConfiguration:EndpointConfiguration /);
        expect(text).to.match(/- aws:sagemaker\/endpoint:Endpoint /);
    });

    it("refuses a bare model.joblib with the command that packages it", async () => {
        const joblib = path.join(path.dirname(artifact), "model.joblib");
        const error = await program({ "mdetect:modelArtifact": joblib }).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.match(/is not a model\.tar\.gz; package the estimator with `mdetect model package <model\.joblib>`/);
    });
});
