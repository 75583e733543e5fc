import type { StackRule, Violation } from "../lib/types";
import { decide } from "../lib/iam";
import { linked, ofType, statements } from "../lib/values";

/**
 * Requests over plain HTTP a topic's policy must deny explicitly, whatever else the caller is
 * granted: publishing and subscribing. Evaluated by the IAM logic (@cloud-copilot/iam-simulate),
 * so a deny that misses one of them, or names another topic, fails.
 */
const PROBE_ACTIONS = ["sns:Publish", "sns:Subscribe"];
const PROBE_PRINCIPAL = "arn:aws:iam::000000000000:role/tls-probe";
const PLAIN_HTTP = { "aws:SecureTransport": "false" };

export const rule: StackRule = {
    kind: "stack",
    name: "sns-topic-tls-only",
    description: "Every SNS topic has a topic policy (inline or aws.sns.TopicPolicy) denying publishes and subscriptions without TLS (evaluated).",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Add an aws.sns.TopicPolicy with a Deny statement: Principal \"*\", Action [\"sns:Publish\", \"sns:Subscribe\"], Resource the topic ARN, Condition Bool aws:SecureTransport \"false\".",
    check: (resources) => {
        const violations: Violation[] = [];
        const topicPolicies = ofType(resources, "aws:sns/topicPolicy:TopicPolicy");
        for (const topic of ofType(resources, "aws:sns/topic:Topic")) {
            const { yes, unknown } = linked(topicPolicies, "arn", topic);
            // An empty policy is none (and no JSON); an absent or null one reads as no resource policy.
            const documents = [topic.props.policy, ...yes.map((p) => p.props.policy)].filter((d) => d !== "");
            const arn = topic.props.arn;
            const known = typeof arn === "string" && !documents.some((d) => statements(d) === "unknown");
            // An explicit deny wins over any grant, so no identity policy is needed for the probe.
            const denies = (policy: unknown) => PROBE_ACTIONS.every((action) => decide([], {
                principal: PROBE_PRINCIPAL, action, resource: String(arn), context: PLAIN_HTTP, resourcePolicy: policy,
            }) === "ExplicitlyDenied");
            if (known && documents.some(denies)) continue;
            const undetermined = unknown.length > 0 || !known;
            violations.push({
                resource: topic, undetermined,
                message: undetermined ? `topic ${topic.name}: cannot judge during preview, its policy is not known until deploy` : `topic ${topic.name} has no policy denying non-TLS requests`,
            });
        }
        return violations;
    },
};
