import { expect } from "chai";
import { S3Client, HeadBucketCommand, CreateBucketCommand, PutPublicAccessBlockCommand, PutBucketVersioningCommand, PutBucketPolicyCommand, PutBucketEncryptionCommand, PutBucketLifecycleConfigurationCommand } from "@aws-sdk/client-s3";
import { KMSClient, DescribeKeyCommand, CreateKeyCommand, EnableKeyRotationCommand, CreateAliasCommand } from "@aws-sdk/client-kms";
import { mockedDuring } from "../helpers/aws-mock";
import { bootstrap, nextSteps, SECRETS_KEY_ALIAS, stateBucketName } from "../../scripts/lib/bootstrap";

const notFound = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
const KEY = { KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab", Arn: "arn:aws:kms:ap-southeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" };
const WRITES: any[] = [CreateBucketCommand, PutPublicAccessBlockCommand, PutBucketVersioningCommand, PutBucketEncryptionCommand, PutBucketPolicyCommand, PutBucketLifecycleConfigurationCommand];

describe("scripts: mdetect bootstrap (state bucket and secrets key)", () => {
    const s3 = mockedDuring(S3Client);
    const kms = mockedDuring(KMSClient);
    const clients = () => ({ s3: new S3Client({ region: "ap-southeast-2" }), kms: new KMSClient({ region: "ap-southeast-2" }) });

    function freshAccount() {
        s3().on(HeadBucketCommand).rejects(notFound("NotFound"));
        kms().on(DescribeKeyCommand).rejects(notFound("NotFoundException"));
        kms().on(CreateKeyCommand).resolves({ KeyMetadata: KEY as any });
    }

    it("names the bucket per account and region, within S3's 63-character limit", () => {
        const name = stateBucketName("123456789012", "ap-southeast-2");
        expect(name).to.equal("mdetect-pulumi-state-123456789012-ap-southeast-2");
        expect(name.length).to.be.at.most(63);
    });

    it("on a fresh account creates a private, versioned, TLS-only bucket in the region and a rotating key behind the alias", async () => {
        freshAccount();
        const result = await bootstrap({ region: "ap-southeast-2", account: "123456789012", apply: true }, clients());
        const create = s3().commandCalls(CreateBucketCommand)[0].args[0].input;
        // Outside us-east-1, CreateBucket needs the region as LocationConstraint.
        expect(create.CreateBucketConfiguration).to.deep.equal({ LocationConstraint: "ap-southeast-2" });
        expect(s3().commandCalls(PutPublicAccessBlockCommand)[0].args[0].input.PublicAccessBlockConfiguration)
            .to.deep.equal({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
        expect(s3().commandCalls(PutBucketVersioningCommand)[0].args[0].input.VersioningConfiguration).to.deep.equal({ Status: "Enabled" });
        const policy = JSON.parse(s3().commandCalls(PutBucketPolicyCommand)[0].args[0].input.Policy!);
        expect(policy.Statement[0]).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        expect(kms().commandCalls(EnableKeyRotationCommand)[0].args[0].input.KeyId).to.equal(KEY.KeyId);
        expect(kms().commandCalls(CreateAliasCommand)[0].args[0].input).to.deep.equal({ AliasName: SECRETS_KEY_ALIAS, TargetKeyId: KEY.KeyId });
        expect(result.keyArn).to.equal(KEY.Arn);
        expect(nextSteps(result, "ap-southeast-2")).to.include(`pulumi stack init prod --secrets-provider='awskms://${SECRETS_KEY_ALIAS}?region=ap-southeast-2'`);
    });

    it("in us-east-1 sends no LocationConstraint (S3 refuses one there)", async () => {
        freshAccount();
        await bootstrap({ region: "us-east-1", account: "123456789012", apply: true }, clients());
        expect(s3().commandCalls(CreateBucketCommand)[0].args[0].input.CreateBucketConfiguration).to.equal(undefined);
    });

    it("run again, finds both and changes nothing", async () => {
        s3().on(HeadBucketCommand).resolves({});
        kms().on(DescribeKeyCommand).resolves({ KeyMetadata: KEY as any });
        const result = await bootstrap({ region: "ap-southeast-2", account: "123456789012", apply: true }, clients());
        for (const command of WRITES) expect(s3().commandCalls(command), command.name).to.have.length(0);
        expect(kms().commandCalls(CreateKeyCommand)).to.have.length(0);
        expect(result.actions.every((a) => a.includes("exists"))).to.equal(true);
    });

    it("without --apply only looks", async () => {
        freshAccount();
        const result = await bootstrap({ region: "ap-southeast-2", account: "123456789012", apply: false }, clients());
        for (const command of WRITES) expect(s3().commandCalls(command), command.name).to.have.length(0);
        expect(kms().commandCalls(CreateKeyCommand)).to.have.length(0);
        expect(result.actions.join("\n")).to.match(/would create[\s\S]*would create/);
    });

    it("stops on an access error rather than taking it for a missing bucket", async () => {
        s3().on(HeadBucketCommand).rejects(Object.assign(new Error("Forbidden"), { name: "Forbidden", $metadata: { httpStatusCode: 403 } }));
        let error: unknown;
        try { await bootstrap({ region: "ap-southeast-2", account: "123456789012", apply: true }, clients()); } catch (e) { error = e; }
        expect((error as Error).name).to.equal("Forbidden");
        expect(s3().commandCalls(CreateBucketCommand)).to.have.length(0);
    });

    it("refuses a bucket name S3 would refuse", async () => {
        let error: unknown;
        try { await bootstrap({ region: "ap-southeast-2", account: "1", bucket: "Mdetect_State", apply: true }, clients()); } catch (e) { error = e; }
        expect(String(error)).to.include("not a valid S3 bucket name");
    });
});
