import type { ResourceView, StackRule, Violation } from "../lib/types";
import { isRecord, linked, list, ofType, present, prop, refersTo, type Link } from "../lib/values";

const FUNCTION = "aws:lambda/function:Function";
/** Services that invoke Lambda asynchronously (the event is queued; a failure is retried, then dropped). */
const ASYNC_PRINCIPALS = new Set(["s3.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com", "iot.amazonaws.com", "ses.amazonaws.com", "logs.amazonaws.com"]);

/** Pseudo-resources pointing at one function reference each, so refersTo() can compare them. */
function triggerRefs(resources: readonly ResourceView[]): { trigger: ResourceView; via: string; ref: ResourceView }[] {
    const refs: { trigger: ResourceView; via: string; ref: ResourceView }[] = [];
    const add = (trigger: ResourceView, via: string, property: string, value: unknown) =>
        refs.push({ trigger, via, ref: { ...trigger, props: { [property]: value } } });
    for (const r of resources) {
        switch (r.type) {
            case "aws:cloudwatch/eventTarget:EventTarget": add(r, "EventBridge rule", "arn", r.props.arn); break;
            case "aws:scheduler/schedule:Schedule": add(r, "schedule", "arn", prop(r.props, "target.arn")); break;
            case "aws:lambda/invocation:Invocation": add(r, "deploy-time invocation", "functionName", r.props.functionName); break;
            case "aws:sns/topicSubscription:TopicSubscription":
                if (r.props.protocol === "lambda") add(r, "SNS subscription", "endpoint", r.props.endpoint);
                break;
            case "aws:lambda/permission:Permission":
                if (ASYNC_PRINCIPALS.has(String(r.props.principal))) add(r, `${String(r.props.principal)} permission`, "function", r.props.function);
                break;
            case "aws:s3/bucketNotification:BucketNotification":
                for (const f of list(r.props.lambdaFunctions).filter(isRecord)) add(r, "S3 notification", "lambdaFunctionArn", f.lambdaFunctionArn);
                break;
        }
    }
    return refs;
}

function hasFailureDestination(fn: ResourceView, resources: readonly ResourceView[]): Link {
    if (present(prop(fn.props, "deadLetterConfig.targetArn"))) return "yes";
    const configs = ofType(resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
        .filter((c) => present(prop(c.props, "destinationConfig.onFailure.destination")));
    const { yes, unknown } = linked(configs, "functionName", fn);
    return yes.length > 0 ? "yes" : unknown.length > 0 ? "unknown" : "no";
}

export const rule: StackRule = {
    kind: "stack",
    name: "lambda-async-dlq",
    description: "Lambdas invoked asynchronously (S3, EventBridge, schedules, SNS, deploy-time invocations) have a dead-letter queue or an on-failure destination.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Build the function with PipelineFunction's deadLetterKeyArn (encrypted SQS DLQ), or add an aws.lambda.FunctionEventInvokeConfig with destinationConfig.onFailure.",
    check: (resources) => {
        const violations: Violation[] = [];
        const refs = triggerRefs(resources);
        for (const fn of ofType(resources, FUNCTION)) {
            const links = refs.map((t) => ({ ...t, link: refersTo(t.ref, Object.keys(t.ref.props)[0], fn) }));
            const triggers = links.filter((l) => l.link === "yes");
            const maybe = links.filter((l) => l.link === "unknown");
            if (triggers.length === 0 && maybe.length === 0) continue;
            const destination = hasFailureDestination(fn, resources);
            if (destination === "yes") continue;
            if (triggers.length > 0 && destination === "no") {
                violations.push({ resource: fn, message: `function ${fn.name} is invoked asynchronously (${[...new Set(triggers.map((t) => `${t.via} ${t.trigger.name}`))].join(", ")}) and has no DLQ or on-failure destination` });
            } else {
                violations.push({ resource: fn, undetermined: true, message: `function ${fn.name}: cannot judge during preview whether it is invoked asynchronously or has a failure destination` });
            }
        }
        return violations;
    },
};
