/**
 * The project's customer-managed KMS key: one key (a key costs $1/month) encrypts the data lake,
 * the stream, topics, queues, the registry, the endpoint and the audit trail. Rotation is on.
 * The key policy delegates to IAM (so each role's own policy decides: S3, SQS, Kinesis,
 * Firehose, RDS, Secrets Manager and SageMaker use the key on behalf of a role) and admits the
 * services that act as themselves: CloudTrail writing this trail, and CloudWatch alarms and
 * budgets publishing to encrypted SNS topics. Log groups are not encrypted with this key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "./lambda";

export interface DataKeyArgs {
    readonly description: string;
    /** The one trail allowed to encrypt with the key (aws:SourceArn). */
    readonly trailName: string;
}

export class DataKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: DataKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:security:DataKey", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const trailArn = pulumi.interpolate`arn:${partition}:cloudtrail:${region}:${account}:trail/${args.trailName}`;

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
                    // AWS CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail":
                    // encrypting is bound to this trail (aws:SourceArn) and to trail log files
                    // (the encryption context CloudTrail sends); describing the key is a separate
                    // statement, because DescribeKey requests carry no encryption context.
                    {
                        Sid: "CloudTrailEncryptsThisTrailsLogs",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "kms:GenerateDataKey*",
                        Resource: "*",
                        Condition: {
                            StringEquals: { "aws:SourceArn": trailArn },
                            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:${partition}:cloudtrail:*:${account}:trail/*` },
                        },
                    },
                    {
                        Sid: "CloudTrailDescribesTheKey",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "kms:DescribeKey",
                        Resource: "*",
                        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                    },
                    // SNS encrypts with the key on the publisher's behalf; services publish as
                    // themselves (no role), so the key policy names them, for this account's
                    // alarms and budgets only (SNS developer guide, "Encryption at rest").
                    {
                        Sid: "AlarmsAndBudgetsPublishToEncryptedTopics",
                        Effect: "Allow",
                        Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
                        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                        Resource: "*",
                        Condition: {
                            StringEquals: { "aws:SourceAccount": account },
                            ArnLike: { "aws:SourceArn": [pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${account}:alarm:*`, pulumi.interpolate`arn:${partition}:budgets::${account}:*`] },
                        },
                    },
                ],
            }),
        }, { parent: this });
        new aws.kms.Alias(name, { namePrefix: `alias/${name}-`, targetKeyId: this.key.keyId }, { parent: this });
        this.arn = this.key.arn;
        this.registerOutputs({ arn: this.arn });
    }
}

/**
 * A role's use of the DataKey for one bucket's objects only: through S3 in this region
 * (kms:ViaService), for this bucket (S3 sends the bucket ARN as encryption context when the
 * bucket uses an S3 Bucket Key, as ours do, and the object ARN for objects written before it).
 * Reads need kms:Decrypt, writes kms:GenerateDataKey, multipart writes both.
 */
export function dataKeyViaS3(sid: string, actions: string[], keyArn: pulumi.Input<string>, bucketArn: pulumi.Input<string>, region: pulumi.Input<string>): PolicyStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: actions,
        Resource: keyArn,
        Condition: {
            StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, pulumi.interpolate`${bucketArn}/*`] },
        },
    };
}

/**
 * Publishing to a topic encrypted with the DataKey: SNS asks KMS for a data key and decrypts
 * it on the publisher's behalf, with the topic ARN as encryption context (SNS developer guide,
 * "Encryption at rest": publishers need kms:GenerateDataKey and kms:Decrypt).
 */
export function dataKeyViaSns(sid: string, keyArn: pulumi.Input<string>, topicArn: pulumi.Input<string>, region: pulumi.Input<string>): PolicyStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: keyArn,
        Condition: {
            StringEquals: {
                "kms:ViaService": pulumi.interpolate`sns.${region}.amazonaws.com`,
                "kms:EncryptionContext:aws:sns:topicArn": topicArn,
            },
        },
    };
}
