/**
 * ObjectCreatedTrigger: an EventBridge rule on the data lake's "Object Created" events under
 * some key prefixes, delivering to a Lambda. Delivery failures (throttling, service errors) are
 * retried for EventBridge's maximum day and then kept in a dead-letter queue; the function's own
 * failures go to its DLQ (PipelineFunction), so an object is never silently skipped.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Delivery to Lambda fails only on throttling or service errors: keep retrying for EventBridge's maximum day. */
const EVENT_MAX_AGE_SECONDS = 24 * 3600;
const EVENT_MAX_RETRIES = 185;
/** Undeliverable events stay for the SQS maximum, 14 days, for replay. */
const TARGET_DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export interface ObjectCreatedTriggerArgs {
    readonly bucketName: pulumi.Input<string>;
    readonly prefixes: readonly string[];
    readonly function: aws.lambda.Function;
}

export class ObjectCreatedTrigger extends pulumi.ComponentResource {
    public readonly rule: aws.cloudwatch.EventRule;
    public readonly deliveryDeadLetterQueue: aws.sqs.Queue;

    constructor(name: string, args: ObjectCreatedTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:events:ObjectCreatedTrigger", name, {}, opts);
        this.rule = new aws.cloudwatch.EventRule(name, {
            description: `Objects created under ${args.prefixes.join(", ")} in the data lake`,
            eventPattern: pulumi.jsonStringify({
                source: ["aws.s3"],
                "detail-type": ["Object Created"],
                detail: { bucket: { name: [args.bucketName] }, object: { key: args.prefixes.map((prefix) => ({ prefix })) } },
            }),
        }, { parent: this });

        // EventBridge writes this queue as a service principal, which the DataKey's policy does
        // not admit: SSE-SQS keeps it encrypted at rest. It holds event metadata (bucket, key,
        // size), never telemetry.
        this.deliveryDeadLetterQueue = new aws.sqs.Queue(`${name}-delivery-dlq`, {
            messageRetentionSeconds: TARGET_DLQ_RETENTION_SECONDS,
            sqsManagedSseEnabled: true,
        }, { parent: this });
        new aws.sqs.QueuePolicy(`${name}-delivery-dlq`, {
            queueUrl: this.deliveryDeadLetterQueue.url,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "RuleDeadLetters",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: "sqs:SendMessage",
                    Resource: this.deliveryDeadLetterQueue.arn,
                    Condition: { ArnEquals: { "aws:SourceArn": this.rule.arn } },
                }],
            }),
        }, { parent: this });

        const permission = new aws.lambda.Permission(name, {
            action: "lambda:InvokeFunction",
            function: args.function.name,
            principal: "events.amazonaws.com",
            sourceArn: this.rule.arn,
        }, { parent: this });
        new aws.cloudwatch.EventTarget(name, {
            rule: this.rule.name,
            arn: args.function.arn,
            retryPolicy: { maximumEventAgeInSeconds: EVENT_MAX_AGE_SECONDS, maximumRetryAttempts: EVENT_MAX_RETRIES },
            deadLetterConfig: { arn: this.deliveryDeadLetterQueue.arn },
        }, { parent: this, dependsOn: [permission] });

        this.registerOutputs({ ruleArn: this.rule.arn });
    }
}
