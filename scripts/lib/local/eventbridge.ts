/**
 * Local EventBridge (default bus): rules and targets from the plan. An event is matched
 * against every rule's pattern; each target of a matching rule gets it. Delivery to a Lambda
 * target is an asynchronous invocation, allowed only if the function's resource policy (the
 * plan's lambda Permissions) lets events.amazonaws.com invoke it for that rule's ARN; a
 * delivery that fails is retried with backoff within the target's retry policy (maximum age,
 * maximum attempts) and then sent to the target's dead-letter queue, with the documented
 * RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE attributes. Schedule rules fire on the
 * simulated clock with the documented "Scheduled Event".
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
import { randomUUID } from "crypto";
import { SimClock } from "./clock";
import { matchesPattern } from "./event-pattern";
import { Authorizer } from "./iam";
import { LocalLambda } from "./lambda";
import { LocalPlan, RulePlan, RuleTargetPlan } from "./plan";
import { LocalQueues } from "./sqs";
import { Principal } from "./principals";

export interface BusEvent {
    readonly version: "0";
    readonly id: string;
    readonly "detail-type": string;
    readonly source: string;
    readonly account: string;
    readonly time: string;
    readonly region: string;
    readonly resources: string[];
    readonly detail: Record<string, unknown>;
}

interface Delivery { readonly rule: RulePlan; readonly target: RuleTargetPlan; readonly event: BusEvent; attempts: number; dueAt: number; readonly firstAt: number }

/** `rate(5 minutes)` in seconds; cron expressions are not emulated. */
export function rateSeconds(expression: string): number {
    const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
    if (!m) throw new Error(`schedule ${expression}: only rate() expressions are emulated`);
    const unit = m[2].startsWith("minute") ? 60 : m[2].startsWith("hour") ? 3600 : 86400;
    return Number(m[1]) * unit;
}

export interface EventBridgeHooks {
    /** True to deliver this event a second time (EventBridge delivers at least once). */
    duplicate?(event: BusEvent): boolean;
}

export class LocalEventBridge {
    private readonly deliveries: Delivery[] = [];
    private readonly nextFire = new Map<string, number>();
    readonly delivered: { rule: string; target: string; eventId: string }[] = [];
    /** Deliveries to functions that do not run locally (not retried, not dead-lettered). */
    readonly skipped: { rule: string; target: string }[] = [];
    hooks: EventBridgeHooks = {};

    constructor(private readonly plan: LocalPlan, private readonly clock: SimClock, private readonly lambda: LocalLambda,
        private readonly queues: LocalQueues, private readonly authorizer: Authorizer, private readonly servicePrincipal: (service: string) => Principal) {
        for (const rule of plan.rules) {
            if (rule.scheduleExpression) this.nextFire.set(rule.arn, clock.now() + rateSeconds(rule.scheduleExpression) * 1000);
        }
    }

    event(source: string, detailType: string, resources: string[], detail: Record<string, unknown>): BusEvent {
        return {
            version: "0", id: randomUUID(), "detail-type": detailType, source, account: this.plan.account,
            time: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"), region: this.plan.region, resources, detail,
        };
    }

    put(event: BusEvent): void {
        for (const rule of this.plan.rules) {
            if (!rule.eventPattern || !matchesPattern(rule.eventPattern, event as unknown as Record<string, unknown>)) continue;
            const copies = this.hooks.duplicate?.(event) ? 2 : 1;
            for (let i = 0; i < copies; i++) {
                for (const target of rule.targets) this.deliveries.push({ rule, target, event, attempts: 0, dueAt: this.clock.now(), firstAt: this.clock.now() });
            }
        }
    }

    pending(): number {
        return this.deliveries.length;
    }

    async tick(): Promise<void> {
        const now = this.clock.now();
        for (const rule of this.plan.rules) {
            const at = this.nextFire.get(rule.arn);
            if (at === undefined || at > now) continue;
            this.nextFire.set(rule.arn, at + rateSeconds(rule.scheduleExpression!) * 1000);
            const event = this.event("aws.events", "Scheduled Event", [rule.arn], {});
            for (const target of rule.targets) this.deliveries.push({ rule, target, event, attempts: 0, dueAt: now, firstAt: now });
        }
        const due = this.deliveries.filter((d) => d.dueAt <= now);
        for (const d of due) {
            this.deliveries.splice(this.deliveries.indexOf(d), 1);
            d.attempts += 1;
            const error = await this.deliver(d);
            if (!error && this.skipped.at(-1)?.rule === d.rule.name && !this.lambda.runners.has(d.target.arn)) continue;
            if (!error) { this.delivered.push({ rule: d.rule.name, target: d.target.arn, eventId: d.event.id }); continue; }
            const tooOld = now - d.firstAt >= d.target.retry.maximumEventAgeSeconds * 1000;
            if (d.attempts > d.target.retry.maximumRetryAttempts || tooOld) {
                if (d.target.deadLetterArn) {
                    this.queues.send(d.target.deadLetterArn, JSON.stringify(d.event), {
                        RULE_ARN: d.rule.arn, TARGET_ARN: d.target.arn, ERROR_CODE: error.code, ERROR_MESSAGE: error.message,
                    }, now);
                }
                continue;
            }
            // Exponential backoff, capped at five minutes.
            this.deliveries.push({ ...d, dueAt: now + Math.min(300, 2 ** d.attempts) * 1000 });
        }
    }

    private async deliver(d: Delivery): Promise<{ code: string; message: string } | undefined> {
        const fn = this.plan.functions.find((f) => f.arn === d.target.arn.replace(/:\$LATEST$/, ""));
        if (!fn) return { code: "ResourceNotFoundException", message: `target ${d.target.arn} is not a function of the plan` };
        if (!this.lambda.runners.has(fn.arn)) {
            // Not a delivery failure AWS would have: the function does not run locally (LocalCloud.unavailable says why).
            this.skipped.push({ rule: d.rule.name, target: fn.logicalName });
            return undefined;
        }
        const decision = await this.authorizer.authorize({
            principal: this.servicePrincipal("events.amazonaws.com"),
            action: "lambda:InvokeFunction", resource: fn.arn, resourcePolicy: fn.resourcePolicy,
            context: { "aws:SourceArn": d.rule.arn, "aws:SourceAccount": this.plan.account },
        });
        if (!decision.allowed) return { code: "AccessDeniedException", message: `events.amazonaws.com may not invoke ${fn.name} for ${d.rule.arn} (${decision.result})` };
        try {
            this.lambda.invokeAsync(fn.arn, d.event);
        } catch (err) {
            return { code: (err as Error).name, message: (err as Error).message };
        }
        return undefined;
    }
}
