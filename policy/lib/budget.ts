/** The cost budgets a stack declares: shared by budget-declared and any rule comparing cost to budget. */
import type { ResourceView } from "./types";
import { isRecord, isUnknown, list, ofType } from "./values";

export interface DeclaredBudget {
    readonly resource: ResourceView;
    /** Monthly limit in USD (0 when absent or not a number). */
    readonly limitUsd: number;
    /** Some notification has an e-mail or topic subscriber. */
    readonly notified: boolean;
}

export function declaredBudgets(resources: readonly ResourceView[]): DeclaredBudget[] {
    return ofType(resources, "aws:budgets/budget:Budget")
        .filter((b) => (b.props.budgetType ?? "COST") === "COST")
        .map((b) => ({
            resource: b,
            limitUsd: Number(b.props.limitAmount) || 0,
            notified: list(b.props.notifications).filter(isRecord).some((n) =>
                [...list(n.subscriberEmailAddresses), ...list(n.subscriberSnsTopicArns)].some((s) => isUnknown(s) || (typeof s === "string" && s !== ""))),
        }));
}
