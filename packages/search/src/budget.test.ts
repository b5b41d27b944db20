import { describe, expect, it } from "vitest";
import { budgetSummary, type BudgetTrial } from "./budget.ts";

const t = (status: BudgetTrial["status"], stopReason: BudgetTrial["stopReason"], epochsRun: number, epochsBudget = 9): BudgetTrial => ({ status, stopReason, epochsRun, epochsBudget });

describe("budgetSummary", () => {
  it("adds up what ran, the full budget, and what divergence and pruning saved", () => {
    const b = budgetSummary([
      t("completed", null, 9),
      t("completed", null, 1, 1), // a coarse round's trial
      t("stopped", "loss_exploded", 2),
      t("stopped", "non_finite", 0),
      t("stopped", "pruned", 3),
      t("stopped", "pruned", 1),
      t("running", null, 4),
      t("failed", null, 5),
      t("cancelled", null, 6),
      t("queued", null, 0),
    ]);
    expect(b).toEqual({ epochsRun: 31, epochsFullBudget: 73, savedByDivergence: 16, savedByPruning: 14 });
  });

  it("is all zero for a search that has not started", () => {
    expect(budgetSummary([t("queued", null, 0)])).toEqual({ epochsRun: 0, epochsFullBudget: 0, savedByDivergence: 0, savedByPruning: 0 });
  });
});
