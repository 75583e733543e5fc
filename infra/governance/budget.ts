/**
 * CostBudget: a monthly AWS Budgets cost budget over everything carrying the project's
 * cost-allocation tag, e-mailing ops when actual or forecast spend crosses each threshold.
 * The tag only filters once it is activated in the Billing console (docs/governance.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** 80% warns while there is month left to act; 100% says the budget is gone (or will be). */
export const BUDGET_THRESHOLDS_PERCENT = [80, 100] as const;
/** AWS Budgets allows at most 10 e-mail subscribers per notification. */
const MAX_EMAIL_SUBSCRIBERS = 10;

export interface CostBudgetArgs {
    readonly monthlyUsd: number;
    /** The cost-allocation tag that marks this project's resources (applied by infra/tagging.ts). */
    readonly tagKey: string;
    readonly tagValue: string;
    readonly emails: readonly string[];
}

/** Budgets names a user-defined cost-allocation tag filter `user:<key>$<value>`. */
export function tagFilterValue(key: string, value: string): string {
    return `user:${key}$${value}`;
}

export class CostBudget extends pulumi.ComponentResource {
    public readonly budget: aws.budgets.Budget;

    constructor(name: string, args: CostBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:CostBudget", name, {}, opts);
        if (args.emails.length > MAX_EMAIL_SUBSCRIBERS) {
            throw new Error(`CostBudget: at most ${MAX_EMAIL_SUBSCRIBERS} e-mail subscribers, got ${args.emails.length}`);
        }
        if (args.emails.length === 0) {
            pulumi.log.warn("mdetect:opsEmails is empty: the cost budget is created without notifications", this);
        }
        const notifications = args.emails.length === 0 ? [] : (["ACTUAL", "FORECASTED"] as const).flatMap((notificationType) =>
            BUDGET_THRESHOLDS_PERCENT.map((threshold) => ({
                notificationType,
                comparisonOperator: "GREATER_THAN",
                threshold,
                thresholdType: "PERCENTAGE",
                subscriberEmailAddresses: [...args.emails],
            })));

        this.budget = new aws.budgets.Budget(name, {
            budgetType: "COST",
            timeUnit: "MONTHLY",
            limitAmount: args.monthlyUsd.toFixed(2),
            limitUnit: "USD",
            costFilters: [{ name: "TagKeyValue", values: [tagFilterValue(args.tagKey, args.tagValue)] }],
            notifications,
        }, { parent: this });

        this.registerOutputs({ budgetName: this.budget.name });
    }
}
