/**
 * Notifications: the findings topic (client alerts, one e-mail subscription per address, each
 * filtered on the message's client_id attribute so a client receives only its own alerts) and
 * the ops topic (operational alarms and budget notices). Both are encrypted with the DataKey
 * and refuse any request not made over TLS.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { AlertSubscription } from "./config";

export interface NotificationsArgs {
    readonly keyArn: pulumi.Input<string>;
    readonly alertSubscriptions: readonly AlertSubscription[];
    readonly opsEmails: readonly string[];
}

/** The message attribute the inference Lambda sets and subscriptions filter on. */
export const CLIENT_ID_ATTRIBUTE = "client_id";

/** Topic-level actions the TLS rule denies (everything a principal can do to a topic). */
const TOPIC_ACTIONS = ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
    "sns:ListSubscriptionsByTopic", "sns:AddPermission", "sns:RemovePermission", "sns:DeleteTopic"];

/** The filter policy of one address: exactly its clients' ids on the client_id attribute. */
export function clientFilterPolicy(clientIds: readonly string[]): string {
    return JSON.stringify({ [CLIENT_ID_ATTRIBUTE]: [...clientIds] });
}

/** Stable, PII-free logical name for an address (an e-mail in a URN ends up in state and logs). */
function addressName(prefix: string, email: string): string {
    return `${prefix}-${createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 10)}`;
}

export class Notifications extends pulumi.ComponentResource {
    public readonly findingsTopic: aws.sns.Topic;
    public readonly opsTopic: aws.sns.Topic;

    constructor(name: string, args: NotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:notifications:Notifications", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        this.findingsTopic = this.topic(`${name}-findings`, "mDetect findings", args.keyArn, []);
        // CloudWatch alarms and AWS Budgets publish to the ops topic as services.
        this.opsTopic = this.topic(`${name}-ops`, "mDetect operations", args.keyArn, [{
            Sid: "AlarmsAndBudgetsPublish",
            Effect: "Allow",
            Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
            Action: "sns:Publish",
            Condition: { StringEquals: { "aws:SourceAccount": account } },
        }]);

        for (const sub of args.alertSubscriptions) {
            new aws.sns.TopicSubscription(addressName(`${name}-findings`, sub.email), {
                topic: this.findingsTopic.arn,
                protocol: "email",
                endpoint: sub.email,
                filterPolicy: clientFilterPolicy(sub.clientIds),
                filterPolicyScope: "MessageAttributes",
            }, { parent: this });
        }
        for (const email of args.opsEmails) {
            new aws.sns.TopicSubscription(addressName(`${name}-ops`, email), {
                topic: this.opsTopic.arn,
                protocol: "email",
                endpoint: email,
            }, { parent: this });
        }

        this.registerOutputs({ findingsTopicArn: this.findingsTopic.arn, opsTopicArn: this.opsTopic.arn });
    }

    private topic(name: string, displayName: string, keyArn: pulumi.Input<string>, allow: Record<string, unknown>[]): aws.sns.Topic {
        const topic = new aws.sns.Topic(name, { displayName, kmsMasterKeyId: keyArn }, { parent: this });
        new aws.sns.TopicPolicy(name, {
            arn: topic.arn,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: TOPIC_ACTIONS,
                        Resource: topic.arn,
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    ...allow.map((s) => ({ ...s, Resource: topic.arn })),
                ],
            }),
        }, { parent: this });
        return topic;
    }
}
