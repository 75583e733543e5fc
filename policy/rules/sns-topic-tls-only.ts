import type { StackRule, Violation } from "../lib/types";
import { deniesInsecureTransport, linked, ofType, statements } from "../lib/values";

export const rule: StackRule = {
    kind: "stack",
    name: "sns-topic-tls-only",
    description: "Every SNS topic has a topic policy (inline or aws.sns.TopicPolicy) denying publishes and subscriptions without TLS.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Add an aws.sns.TopicPolicy with a Deny statement: Principal \"*\", Action [\"sns:Publish\", \"sns:Subscribe\"], Resource the topic ARN, Condition Bool aws:SecureTransport \"false\".",
    check: (resources) => {
        const violations: Violation[] = [];
        const topicPolicies = ofType(resources, "aws:sns/topicPolicy:TopicPolicy");
        for (const topic of ofType(resources, "aws:sns/topic:Topic")) {
            const { yes, unknown } = linked(topicPolicies, "arn", topic);
            const parsed = [topic.props.policy, ...yes.map((p) => p.props.policy)].map(statements);
            if (parsed.some((p) => Array.isArray(p) && p.some(deniesInsecureTransport))) continue;
            const undetermined = unknown.length > 0 || parsed.includes("unknown");
            violations.push({
                resource: topic, undetermined,
                message: undetermined ? `topic ${topic.name}: cannot judge during preview, its policy is not known until deploy` : `topic ${topic.name} has no policy denying non-TLS requests`,
            });
        }
        return violations;
    },
};
