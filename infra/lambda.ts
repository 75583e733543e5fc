/**
 * PipelineFunction: every Lambda of the pipeline, built the same way.
 *
 * - The handler is an inline callback (aws.lambda.CallbackFunction) whose logic lives in
 *   functions/; the callback is a thin adapter.
 * - Its own role, trusted by Lambda from this account only, with one inline policy made of the
 *   statements the caller passes (specific ARNs and prefixes) plus writing to its own log group.
 *   Never CallbackFunction's default role, which attaches nine AWS-managed FullAccess policies.
 * - Its own log group with explicit retention, JSON logs.
 * - Asynchronously invoked functions (S3 notifications, Invocation, schedules) get a
 *   KMS-encrypted dead-letter queue, so a failed event is kept rather than lost.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** arm64 is 20% cheaper per GB-second than x86 for the same JavaScript. */
const ARCHITECTURE = "arm64";
/** Node.js 22 is the newest LTS Lambda runtime the provider lists with a long support window. */
const RUNTIME = aws.lambda.Runtime.NodeJS22dX;
/** Failed asynchronous events stay for the SQS maximum, 14 days, for replay. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | string[];
    readonly Resource: pulumi.Input<string> | pulumi.Input<string>[];
    readonly Condition?: Record<string, unknown>;
}

export interface PipelineFunctionArgs<E, R> {
    readonly description: string;
    readonly callback: aws.lambda.Callback<E, R>;
    /** What the function may do, scoped to specific ARNs (logging to its own group is added). */
    readonly statements: PolicyStatement[];
    readonly memorySizeMb: number;
    readonly timeoutSeconds: number;
    readonly logRetentionDays: number;
    readonly environment?: Record<string, pulumi.Input<string>>;
    /** Set for functions invoked asynchronously: failed events go to an encrypted DLQ. */
    readonly deadLetterKeyArn?: pulumi.Input<string>;
    readonly vpc?: {
        readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
        readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    };
    readonly reservedConcurrency?: number;
    /** Runtime dependencies this function does not need, kept out of its zip. */
    readonly excludePackages?: string[];
}

export class PipelineFunction<E = unknown, R = unknown> extends pulumi.ComponentResource {
    public readonly function: aws.lambda.CallbackFunction<E, R>;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly deadLetterQueue?: aws.sqs.Queue;

    constructor(name: string, args: PipelineFunctionArgs<E, R>, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:compute:PipelineFunction", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        this.role = new aws.iam.Role(`${name}-role`, {
            description: `Execution role of ${name}: ${args.description}`,
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                }],
            }),
        }, { parent: this });

        this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            retentionInDays: args.logRetentionDays,
        }, { parent: this });

        const statements: PolicyStatement[] = [
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: pulumi.interpolate`${this.logGroup.arn}:*`,
            },
            ...args.statements,
        ];
        if (args.deadLetterKeyArn) {
            this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, {
                messageRetentionSeconds: DLQ_RETENTION_SECONDS,
                kmsMasterKeyId: args.deadLetterKeyArn,
            }, { parent: this });
            statements.push(
                { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: this.deadLetterQueue.arn },
                {
                    // Only as SQS uses it for this queue's messages (SQS sends the queue ARN as
                    // encryption context), never to decrypt anything else directly.
                    Sid: "EncryptDeadLetter",
                    Effect: "Allow",
                    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: args.deadLetterKeyArn,
                    Condition: {
                        StringEquals: {
                            "kms:ViaService": pulumi.interpolate`sqs.${aws.getRegionOutput({}, { parent: this }).region}.amazonaws.com`,
                            "kms:EncryptionContext:aws:sqs:arn": this.deadLetterQueue.arn,
                        },
                    },
                },
            );
        }
        if (args.vpc) {
            // Lambda needs these to attach to the VPC; EC2 does not support resource-level
            // permissions for the Describe calls, so they are scoped by action only.
            statements.push({
                Sid: "AttachToVpc",
                Effect: "Allow",
                Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
                Resource: "*",
            });
        }

        const policy = new aws.iam.RolePolicy(`${name}-policy`, {
            role: this.role.id,
            policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
        }, { parent: this });

        this.function = new aws.lambda.CallbackFunction<E, R>(name, {
            description: args.description,
            callback: args.callback,
            role: this.role,
            runtime: RUNTIME,
            architectures: [ARCHITECTURE],
            memorySize: args.memorySizeMb,
            timeout: args.timeoutSeconds,
            environment: args.environment ? { variables: args.environment } : undefined,
            loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
            deadLetterConfig: this.deadLetterQueue ? { targetArn: this.deadLetterQueue.arn } : undefined,
            vpcConfig: args.vpc,
            reservedConcurrentExecutions: args.reservedConcurrency,
            codePathOptions: args.excludePackages ? { extraExcludePackages: args.excludePackages } : undefined,
        }, { parent: this, dependsOn: [policy] });

        this.registerOutputs({ functionArn: this.function.arn, roleArn: this.role.arn });
    }
}
