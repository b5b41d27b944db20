import { describe, expect, it } from "vitest";
import { SearchSpec, type StoredSearchDetail } from "@hps/contracts";
import type { TrialFact } from "@hps/db";
import { withSummary } from "./search-summary.ts";
import { validSpec } from "./test-kit.ts";

const spec = SearchSpec.parse(validSpec({ strategy: { type: "random", trials: 4, rounds: [{ epochs: 1 }, { epochs: 4 }] } }));
const detail = { id: "s", name: "n", status: "running", createdAt: "", updatedAt: "", spec, counts: {}, rounds: [], best: null, error: null } as unknown as StoredSearchDetail;
const fact = (round: number, status: TrialFact["status"], epochs: number, lr: number, extra: Partial<TrialFact> = {}): TrialFact => ({
  id: `${round}-${status}-${epochs}`, round, status, stopReason: null, epochs, params: { "training.learningRate": lr }, objective: status === "completed" ? 0.5 + epochs / 10 : null, diagnostics: [], ...extra,
});

describe("withSummary", () => {
  it("budgets each trial by its round's epochs and says where trials diverged", () => {
    const r = withSummary(detail, [
      fact(0, "completed", 1, 0.01),
      fact(0, "completed", 1, 0.02),
      fact(0, "stopped", 0, 0.9, { stopReason: "non_finite", diagnostics: ["loss became NaN or infinite: learning rate likely too high"] }),
      fact(1, "stopped", 1, 0.8, { stopReason: "loss_exploded", diagnostics: ["loss exploded (1.1 → 9): learning rate likely too high"] }),
      fact(1, "stopped", 2, 0.01, { stopReason: "pruned" }),
      fact(1, "completed", 4, 0.01),
    ]);
    expect(r.budget).toEqual({ epochsRun: 9, epochsFullBudget: 15, savedByDivergence: 4, savedByPruning: 2 });
    expect(r.diagnostics).toContain("2 of 6 trials diverged (learning rate likely too high); all had training.learningRate ≥ 0.8: lower the top of the learning-rate range");
  });

  it("budgets a round the user appended by its own epochs (it replaces the spec's round of its index)", () => {
    const trials = [fact(1, "stopped", 2, 0.01, { stopReason: "pruned" }), fact(2, "stopped", 1, 0.01, { stopReason: "pruned" })];
    expect(withSummary(detail, trials).budget).toMatchObject({ epochsFullBudget: 6, savedByPruning: 3 }); // spec: 4 for round 1 and (past the spec) training.epochs 2 for round 2
    const round = (index: number, epochs: number) => ({ index, space: spec.space, narrowing: {}, trials: 1, finished: 1, edit: { epochs, pruner: null } });
    expect(withSummary({ ...detail, rounds: [round(1, 6), round(2, 3)] }, trials).budget).toMatchObject({ epochsFullBudget: 9, savedByPruning: 6 });
  });
});

describe("publicRounds", () => {
  const round = (index: number, edit: StoredSearchDetail["rounds"][number]["edit"]) => ({ index, space: spec.space, narrowing: {}, trials: 4, finished: 0, edit });
  const asha = { type: "asha" as const, minEpochs: 1, reductionFactor: 3 };

  it("gives each round the spec's epochs and pruner, and a user's round its own", () => {
    const withPruner = { ...spec, strategy: { ...spec.strategy, pruner: asha } } as SearchSpec;
    const rounds = withSummary({ ...detail, spec: withPruner, rounds: [round(0, null), round(1, null), round(2, { epochs: 7, pruner: null })] }, []).rounds;
    expect(rounds.map(({ index, epochs, pruner, editedByUser }) => ({ index, epochs, pruner, editedByUser }))).toEqual([
      { index: 0, epochs: 1, pruner: asha, editedByUser: false },
      { index: 1, epochs: 4, pruner: asha, editedByUser: false },
      { index: 2, epochs: 7, pruner: null, editedByUser: true }, // the edit said "no pruner": not the spec's
    ]);
    expect(rounds[0]).not.toHaveProperty("edit");
  });
});
