/**
 * The project's customer-managed KMS key: one key (a key costs $1/month) encrypts the data lake,
 * the stream, topics, queues, the registry, the endpoint and the audit trail. Rotation is on.
 * The key policy delegates to IAM (so each role's own policy decides) and admits the two
 * services that cannot act through a role: CloudTrail writing the trail and CloudWatch
 * publishing alarms to encrypted SNS topics.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DataKeyArgs {
    readonly description: string;
}

export class DataKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: DataKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:security:DataKey", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;

        this.key = new aws.kms.Key(name, {
            description: args.description,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DelegateToIam",
                        Effect: "Allow",
                        Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    },
                    {
                        Sid: "CloudTrailEncryptsThisAccountsTrails",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
                        Resource: "*",
                        Condition: {
                            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:${partition}:cloudtrail:*:${account}:trail/*` },
                            StringEquals: { "aws:SourceAccount": account },
                        },
                    },
                    {
                        Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                        Resource: "*",
                        Condition: { StringEquals: { "aws:SourceAccount": account } },
                    },
                ],
            }),
        }, { parent: this });
        new aws.kms.Alias(name, { namePrefix: `alias/${name}-`, targetKeyId: this.key.keyId }, { parent: this });
        this.arn = this.key.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
