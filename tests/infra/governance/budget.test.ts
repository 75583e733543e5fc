import { expect } from "chai";
import { program, one } from "../../helpers/program";
import { runProgram } from "../../../scripts/lib/mock-run";
import { GOVERNANCE } from "./config";

describe("infra/governance: cost budget", () => {
    it("budgets the month's cost of resources tagged project=mdetect, at the configured amount", async () => {
        const budget = one(await program(GOVERNANCE), "aws:budgets/budget:Budget");
        expect(budget.inputs).to.include({ budgetType: "COST", timeUnit: "MONTHLY", limitAmount: "220.00", limitUnit: "USD" });
        // Budgets' TagKeyValue filter: "user:<key>$<value>" for a user-defined cost-allocation tag.
        expect(budget.inputs.costFilters).to.deep.equal([{ name: "TagKeyValue", values: ["user:project$mdetect"] }]);
    });

    it("e-mails ops on actual and forecast spend at 80% and 100%", async () => {
        const emails = GOVERNANCE["mdetect:opsEmails"];
        const budget = one(await program(GOVERNANCE), "aws:budgets/budget:Budget");
        const got = budget.inputs.notifications.map((n: any) => `${n.notificationType}@${n.threshold}`);
        expect(got).to.have.members(["ACTUAL@80", "ACTUAL@100", "FORECASTED@80", "FORECASTED@100"]);
        for (const n of budget.inputs.notifications) {
            expect(n).to.include({ comparisonOperator: "GREATER_THAN", thresholdType: "PERCENTAGE" });
            expect(n.subscriberEmailAddresses).to.deep.equal(emails);
        }
    });

    it("creates no notification without an address (Budgets rejects subscriber-less notifications)", async () => {
        const budget = one(await program({ "mdetect:opsEmails": [] }), "aws:budgets/budget:Budget");
        expect(budget.inputs.notifications ?? []).to.deep.equal([]);
    });

    it("refuses more addresses than Budgets allows per notification", async () => {
        let error: unknown;
        try { await runProgram({ config: { "mdetect:opsEmails": Array.from({ length: 11 }, (_, i) => `ops${i}@mdetect.com.au`) } }); } catch (e) { error = e; }
        expect(String(error)).to.match(/at most 10 e-mail subscribers/);
    });
});
