import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { program, ofType, one, childrenOf, policyDoc, loadSerializedHandler } from "../helpers/program";
import { ProgramRun, PlannedResource } from "../../scripts/lib/mock-run";
import { endpointSupportsKms, parseS3Uri, INFERENCE_MEMORY_MB, INFERENCE_TIMEOUT_SECONDS, MODELS_PREFIX } from "../../infra/inference";
import { sklearnImageUri } from "../../infra/sagemaker-image";
import { TAGGABLE_TYPES, UNTAGGABLE_TYPES, isAwsResourceType } from "../../policy/lib/taggable";

/** One cached run serves every serverless test; sizes differ from the defaults to prove they come from config. */
const S3_MODEL = { "mdetect:modelArtifact": "s3://mdetect-models-bucket/models/v3/model.tar.gz", "mdetect:serverlessMemoryMb": 3072, "mdetect:serverlessMaxConcurrency": 7 };
const COMPONENT = "mdetect:inference:Inference::mdetect-inference";

const statements = (run: ProgramRun, policyName: string) => policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", policyName).inputs.policy).Statement;
const sid = (list: any[], id: string) => {
    const found = list.find((s) => s.Sid === id);
    if (!found) throw new Error(`no statement ${id} in ${list.map((s) => s.Sid).join(", ")}`);
    return found;
};
const inferenceFunction = (run: ProgramRun): PlannedResource =>
    childrenOf(run, COMPONENT).find((r) => r.type === "aws:lambda/function:Function")!;

describe("infra: inference", () => {
    it("creates no model, endpoint, Lambda or trigger when no model artifact is configured", async () => {
        const run = await program();
        expect(run.config["mdetect:modelArtifact"]).to.equal("");
        expect(ofType(run, "aws:sagemaker/model:Model")).to.deep.equal([]);
        expect(ofType(run, "aws:sagemaker/endpoint:Endpoint")).to.deep.equal([]);
        expect(childrenOf(run, COMPONENT)).to.deep.equal([]);
    });

    describe("with a model in S3 (serverless by default)", () => {
        it("hosts the model on the region's prebuilt scikit-learn image with the artifact as model data", async () => {
            const run = await program(S3_MODEL);
            const model = one(run, "aws:sagemaker/model:Model");
            expect(model.inputs.primaryContainer.image).to.equal("783357654285.dkr.ecr.ap-southeast-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3");
            expect(model.inputs.primaryContainer.modelDataUrl).to.equal(S3_MODEL["mdetect:modelArtifact"]);
            expect(model.inputs.primaryContainer.environment).to.include({ SAGEMAKER_PROGRAM: "inference.py", SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code" });
            expect(model.inputs.enableNetworkIsolation).to.equal(false);
        });

        it("uses a serverless endpoint configuration sized from config, without KMS", async () => {
            const run = await program(S3_MODEL);
            const cfg = one(run, "aws:sagemaker/endpointConfiguration:EndpointConfiguration");
            const [variant] = cfg.inputs.productionVariants;
            expect(cfg.inputs.productionVariants).to.have.length(1);
            expect(variant.serverlessConfig).to.deep.equal({ memorySizeInMb: 3072, maxConcurrency: 7 });
            expect(variant.instanceType).to.equal(undefined);
            expect(variant.modelName).to.equal(one(run, "aws:sagemaker/model:Model").state.name);
            expect(cfg.inputs.kmsKeyArn).to.equal(undefined);
            const endpoint = one(run, "aws:sagemaker/endpoint:Endpoint");
            expect(endpoint.inputs.endpointConfigName).to.equal(cfg.state.name);
            expect(endpoint.inputs.name).to.match(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
        });

        it("limits the execution role to reading the artifact object and writing the endpoint's logs", async () => {
            const run = await program(S3_MODEL);
            const role = one(run, "aws:iam/role:Role", "mdetect-inference-model-role");
            const trust = policyDoc(role.inputs.assumeRolePolicy).Statement;
            expect(trust.map((s) => s.Principal)).to.deep.equal([{ Service: "sagemaker.amazonaws.com" }]);
            const list = statements(run, "mdetect-inference-model-policy");
            expect(sid(list, "ReadModelArtifact")).to.deep.include({ Action: "s3:GetObject", Resource: "arn:aws:s3:::mdetect-models-bucket/models/v3/model.tar.gz" });
            expect(sid(list, "DecryptModelArtifact")).to.deep.include({ Action: "kms:Decrypt", Resource: ofType(run, "aws:kms/key:Key")[0].state.arn });
            const endpointName = one(run, "aws:sagemaker/endpoint:Endpoint").inputs.name;
            for (const s of list.filter((x) => String(x.Sid).includes("Logs"))) {
                expect(s.Resource).to.match(new RegExp(`:log-group:/aws/sagemaker/Endpoints/${endpointName}(:log-stream:\\*)?$`));
            }
            for (const s of list) {
                expect(s.Resource, s.Sid).not.to.equal("*");
                expect([s.Action].flat().some((a: string) => a.startsWith("ecr:") || a.endsWith("*")), s.Sid).to.equal(false);
            }
        });

        it("triggers the inference Lambda on objects created anywhere under curated/ in the data lake", async () => {
            const run = await program(S3_MODEL);
            const rule = childrenOf(run, COMPONENT).find((r) => r.type === "aws:cloudwatch/eventRule:EventRule")!;
            const lake = ofType(run, "aws:s3/bucket:Bucket").find((b) => b.name.includes("data-lake"))!.state.bucket;
            expect(JSON.parse(rule.inputs.eventPattern)).to.deep.equal({
                source: ["aws.s3"],
                "detail-type": ["Object Created"],
                detail: { bucket: { name: [lake] }, object: { key: [{ prefix: "curated/" }] } },
            });
            const fn = inferenceFunction(run);
            const target = childrenOf(run, COMPONENT).find((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget")!;
            expect(target.inputs.arn).to.equal(fn.state.arn);
            expect(target.inputs.deadLetterConfig.arn).to.be.a("string");
            const permission = childrenOf(run, COMPONENT).find((r) => r.type === "aws:lambda/permission:Permission")!;
            expect(permission.inputs).to.include({ principal: "events.amazonaws.com", sourceArn: rule.state.arn, function: fn.state.name });
        });

        it("gives the Lambda least privilege: curated in, findings out, this endpoint, this topic, the registry function", async () => {
            const run = await program(S3_MODEL);
            const list = statements(run, "mdetect-inference-policy");
            const lake = ofType(run, "aws:s3/bucket:Bucket").find((b) => b.name.includes("data-lake"))!.state.arn;
            expect(sid(list, "ReadCurated").Resource).to.equal(`${lake}/curated/*`);
            expect(sid(list, "WriteFindings")).to.deep.include({ Action: "s3:PutObject", Resource: `${lake}/findings/*` });
            expect(sid(list, "InvokeModel")).to.deep.include({ Action: "sagemaker:InvokeEndpoint", Resource: one(run, "aws:sagemaker/endpoint:Endpoint").state.arn });
            const findingsTopic = ofType(run, "aws:sns/topic:Topic").find((t) => t.name === "mdetect-findings")!;
            expect(sid(list, "AlertClients")).to.deep.include({ Action: "sns:Publish", Resource: findingsTopic.state.arn });
            expect(sid(list, "UseRegistry").Action).to.equal("lambda:InvokeFunction");
            expect(sid(list, "UseRegistry").Resource).to.match(/^arn:aws:lambda:ap-southeast-2:\d{12}:function:/);
            for (const s of list) expect(s.Resource, s.Sid).not.to.equal("*");
        });

        it("runs outside the VPC with a DLQ, named limits and the endpoint's settings in its environment", async () => {
            const run = await program(S3_MODEL);
            const fn = inferenceFunction(run);
            expect(fn.inputs.vpcConfig).to.equal(undefined);
            expect(fn.inputs.deadLetterConfig.targetArn).to.be.a("string");
            expect(fn.inputs.memorySize).to.equal(INFERENCE_MEMORY_MB);
            expect(fn.inputs.timeout).to.equal(INFERENCE_TIMEOUT_SECONDS);
            expect(fn.inputs.environment.variables).to.include({
                ENDPOINT_NAME: one(run, "aws:sagemaker/endpoint:Endpoint").state.name, ENDPOINT_KIND: "serverless", INVOKE_CONCURRENCY: "7", ALERT_THRESHOLD: "0.8",
            });
        });

        it("classifies and cost-tags every resource type the enabled path adds", async () => {
            const run = await program(S3_MODEL);
            for (const r of childrenOf(run, COMPONENT).filter((x) => isAwsResourceType(x.type))) {
                expect(TAGGABLE_TYPES.has(r.type) || UNTAGGABLE_TYPES.has(r.type), r.type).to.equal(true);
                if (TAGGABLE_TYPES.has(r.type)) expect(r.inputs.tags?.project, `${r.type} ${r.name}`).to.equal("mdetect");
            }
        });

        it("ships a self-contained handler that rejects a non-curated event without touching AWS", async () => {
            const run = await program(S3_MODEL);
            const handler = await loadSerializedHandler(inferenceFunction(run));
            const env = inferenceFunction(run).inputs.environment.variables;
            const saved = { ...process.env };
            Object.assign(process.env, env, { AWS_REGION: "ap-southeast-2" });
            try {
                const event = { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: env.DATA_LAKE_BUCKET }, object: { key: "incoming/x.json" } } };
                let error: Error | undefined;
                await handler(event).catch((e) => { error = e; });
                expect(error?.message).to.match(/not under curated\//);
            } finally {
                process.env = saved;
            }
        });
    });

    describe("instance-backed", () => {
        it("uses one instance of the configured type and encrypts its volume with the DataKey", async () => {
            const run = await program({ ...S3_MODEL, "mdetect:endpointMode": "instance", "mdetect:endpointInstanceType": "ml.m5.large" });
            const cfg = one(run, "aws:sagemaker/endpointConfiguration:EndpointConfiguration");
            expect(cfg.inputs.productionVariants[0]).to.include({ instanceType: "ml.m5.large", initialInstanceCount: 1 });
            expect(cfg.inputs.productionVariants[0].serverlessConfig).to.equal(undefined);
            expect(cfg.inputs.kmsKeyArn).to.equal(ofType(run, "aws:kms/key:Key")[0].state.arn);
            expect(one(run, "aws:sagemaker/model:Model").inputs.enableNetworkIsolation).to.equal(true);
            expect(inferenceFunction(run).inputs.environment.variables.ENDPOINT_KIND).to.equal("instance");
        });

        it("leaves KMS off where AWS refuses it: serverless and local-NVMe instance types", () => {
            expect(endpointSupportsKms({ endpointMode: "serverless", endpointInstanceType: "ml.m5.large" })).to.equal(false);
            for (const t of ["ml.m5d.large", "ml.c5d.xlarge", "ml.g4dn.xlarge", "ml.p3dn.24xlarge", "ml.m6gd.large", "ml.g5.xlarge"]) {
                expect(endpointSupportsKms({ endpointMode: "instance", endpointInstanceType: t }), t).to.equal(false);
            }
            for (const t of ["ml.t2.medium", "ml.m5.large", "ml.c5.xlarge", "ml.c6g.large", "ml.inf1.xlarge"]) {
                expect(endpointSupportsKms({ endpointMode: "instance", endpointInstanceType: t }), t).to.equal(true);
            }
        });
    });

    it("uploads a local artifact under models/<content hash>/ in the data lake, encrypted, and scopes the role to it", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-model-"));
        const file = path.join(dir, "model.tar.gz");
        fs.writeFileSync(file, "not really a tarball");
        const run = await program({ "mdetect:modelArtifact": file });
        const object = one(run, "aws:s3/bucketObjectv2:BucketObjectv2");
        expect(object.inputs.key).to.match(new RegExp(`^${MODELS_PREFIX}[0-9a-f]{16}/model.tar.gz$`));
        expect(object.inputs.serverSideEncryption).to.equal("aws:kms");
        const lake = ofType(run, "aws:s3/bucket:Bucket").find((b) => b.name.includes("data-lake"))!.state;
        expect(object.inputs.bucket).to.equal(lake.bucket);
        expect(one(run, "aws:sagemaker/model:Model").inputs.primaryContainer.modelDataUrl).to.equal(`s3://${lake.bucket}/${object.inputs.key}`);
        expect(sid(statements(run, "mdetect-inference-model-policy"), "ReadModelArtifact").Resource).to.equal(`${lake.arn}/${object.inputs.key}`);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("knows the scikit-learn image registry of ap-southeast-2 and refuses to guess for unknown regions", () => {
        expect(sklearnImageUri("ap-southeast-2")).to.equal("783357654285.dkr.ecr.ap-southeast-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3");
        expect(() => sklearnImageUri("xx-nowhere-1")).to.throw(/no scikit-learn inference image registry known for region xx-nowhere-1/);
    });

    it("parses s3:// artifact URIs and rejects anything else", () => {
        expect(parseS3Uri("s3://bucket-1/a/b/model.tar.gz")).to.deep.equal({ bucket: "bucket-1", key: "a/b/model.tar.gz" });
        for (const bad of ["s3://bucket", "https://bucket/x", "s3://B/x", "s3:///x"]) expect(() => parseS3Uri(bad), bad).to.throw(/must be an s3:\/\/bucket\/key URI/);
    });
});
