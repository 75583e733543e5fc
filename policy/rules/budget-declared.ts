import type { StackRule } from "../lib/types";
import { declaredBudgets } from "../lib/budget";

export const rule: StackRule = {
    kind: "stack",
    name: "budget-declared",
    description: "The stack declares a monthly AWS Budgets cost budget with a limit and at least one notification with a subscriber.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Declare an aws.budgets.Budget (budgetType COST, limitAmount from mdetect:budgetMonthlyUsd) with notifications to the ops e-mails or topic.",
    check: (resources) => {
        const budgets = declaredBudgets(resources);
        if (budgets.length === 0) return [{ message: "the stack declares no cost budget" }];
        if (budgets.some((b) => b.limitUsd > 0 && b.notified)) return [];
        return budgets.map((b) => ({ resource: b.resource, message: `budget ${b.resource.name} has ${b.limitUsd > 0 ? "no notification with a subscriber" : "no positive limit"}` }));
    },
};
