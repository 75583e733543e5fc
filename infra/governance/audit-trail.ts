/**
 * AuditTrail: one multi-region CloudTrail trail (the first copy of management events is free),
 * log files validated and encrypted with the data key, delivered to the audit bucket. Data
 * events are billed per event, so only one kind is recorded: GetObject under findings/, which
 * answers "who downloaded which finding".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PREFIX } from "../../functions/layout";
import { BucketPolicyStatement } from "../bucket";

/** The trail's name is fixed so the audit bucket's policy can name the trail before it exists. */
export function auditTrailName(stack: string): string {
    return `mdetect-${stack}-audit`;
}

/**
 * The bucket-policy statements CloudTrail needs to deliver to a bucket: read its ACL and write
 * log files under AWSLogs/<account>/ with the owner in full control, each only for this trail
 * (aws:SourceArn), so no other account's trail can use the bucket.
 */
export function cloudTrailBucketStatements(bucketArn: pulumi.Input<string>, account: pulumi.Input<string>, region: pulumi.Input<string>, trailName: string): BucketPolicyStatement[] {
    const trailArn = pulumi.interpolate`arn:aws:cloudtrail:${region}:${account}:trail/${trailName}`;
    return [
        {
            Sid: "CloudTrailReadsAcl",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "CloudTrailWritesLogs",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucketArn}/AWSLogs/${account}/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
        },
    ];
}

export interface AuditTrailArgs {
    readonly trailName: string;
    readonly auditBucketName: pulumi.Input<string>;
    readonly dataKeyArn: pulumi.Input<string>;
    readonly dataLakeBucketArn: pulumi.Input<string>;
}

export class AuditTrail extends pulumi.ComponentResource {
    public readonly trail: aws.cloudtrail.Trail;

    /** Pass the audit store in `opts.dependsOn`: CloudTrail checks the bucket policy on create. */
    constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:AuditTrail", name, {}, opts);
        this.trail = new aws.cloudtrail.Trail(name, {
            name: args.trailName,
            s3BucketName: args.auditBucketName,
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            kmsKeyId: args.dataKeyArn,
            advancedEventSelectors: [
                {
                    name: "Management events",
                    fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }],
                },
                {
                    name: "Downloads of findings",
                    fieldSelectors: [
                        { field: "eventCategory", equals: ["Data"] },
                        { field: "resources.type", equals: ["AWS::S3::Object"] },
                        { field: "eventName", equals: ["GetObject"] },
                        { field: "resources.ARN", startsWiths: [pulumi.interpolate`${args.dataLakeBucketArn}/${PREFIX.findings}`] },
                    ],
                },
            ],
        }, { parent: this });
        this.registerOutputs({ trailArn: this.trail.arn });
    }
}
