import { expect } from "chai";
import { program, one, policyDoc } from "../../helpers/program";
import { ProgramRun } from "../../../scripts/lib/mock-run";
import { GOVERNANCE } from "./config";

describe("infra/governance: audit trail", () => {
    let run: ProgramRun;
    before(async () => { run = await program(GOVERNANCE); });
    const trail = () => one(run, "aws:cloudtrail/trail:Trail");

    it("records every region and global services, validated and encrypted with the data key, into the audit bucket", () => {
        expect(trail().inputs).to.include({
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            kmsKeyId: run.outputs.dataKeyArn,
            s3BucketName: run.outputs.auditBucket,
            name: "mdetect-dev-audit",
        });
        expect(trail().inputs.enableLogging).to.not.equal(false);
    });

    it("selects management events and, of data events, only GetObject under findings/", () => {
        const selectors = trail().inputs.advancedEventSelectors;
        expect(trail().inputs.eventSelectors ?? [], "basic and advanced selectors cannot be mixed").to.deep.equal([]);
        expect(selectors).to.have.length(2);
        const fields = (s: any) => Object.fromEntries(s.fieldSelectors.map((f: any) => [f.field, f]));
        const [management, data] = selectors.map(fields);
        expect(Object.keys(management)).to.deep.equal(["eventCategory"]);
        expect(management.eventCategory.equals).to.deep.equal(["Management"]);
        expect(data.eventCategory.equals).to.deep.equal(["Data"]);
        // resources.type accepts only Equals; it is required for data events.
        expect(data["resources.type"]).to.deep.equal({ field: "resources.type", equals: ["AWS::S3::Object"] });
        expect(data.eventName).to.deep.equal({ field: "eventName", equals: ["GetObject"] });
        expect(data["resources.ARN"]).to.deep.equal({ field: "resources.ARN", startsWiths: [`arn:aws:s3:::${run.outputs.dataLakeBucket}/findings/`] });
    });

    it("lets CloudTrail, for this trail only, read the audit bucket's ACL and write owner-controlled logs under AWSLogs/<account>/", () => {
        const bucketPolicy = policyDoc(one(run, "aws:s3/bucketPolicy:BucketPolicy", "mdetect-audit").inputs.policy).Statement;
        const trailArn = "arn:aws:cloudtrail:ap-southeast-2:123456789012:trail/mdetect-dev-audit";
        const bucketArn = `arn:aws:s3:::${run.outputs.auditBucket}`;
        const byAction = (a: string) => bucketPolicy.find((s) => s.Action === a && s.Principal?.Service === "cloudtrail.amazonaws.com");
        expect(byAction("s3:GetBucketAcl")).to.deep.include({ Effect: "Allow", Resource: bucketArn, Condition: { StringEquals: { "aws:SourceArn": trailArn } } });
        expect(byAction("s3:PutObject")).to.deep.include({
            Effect: "Allow",
            Resource: `${bucketArn}/AWSLogs/123456789012/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
        });
        // The trail name the policy names is the trail the stack creates.
        expect(trailArn.endsWith(`/${trail().inputs.name}`)).to.equal(true);
    });

    it("gives the data lake no CloudTrail access", () => {
        const lake = policyDoc(one(run, "aws:s3/bucketPolicy:BucketPolicy", "mdetect-data-lake").inputs.policy).Statement;
        expect(lake.filter((s) => JSON.stringify(s.Principal ?? "").includes("cloudtrail"))).to.deep.equal([]);
    });

    it("lets CloudTrail use the data key for this account's trails", () => {
        const key = policyDoc(one(run, "aws:kms/key:Key").inputs.policy).Statement;
        const ct = key.find((s) => s.Principal?.Service === "cloudtrail.amazonaws.com");
        expect(ct.Action).to.include("kms:GenerateDataKey*");
        expect(ct.Condition.StringLike["kms:EncryptionContext:aws:cloudtrail:arn"]).to.equal("arn:aws:cloudtrail:*:123456789012:trail/*");
    });
});
