import { describe, expect, it } from "vitest";
import type { Space } from "@hps/contracts";
import { diagnoseSearch, type SearchDiagnoseTrial } from "./diagnose-search.ts";

const space: Space = {
  "training.learningRate": { type: "loguniform", low: 1e-4, high: 1 },
  "training.momentum": { type: "uniform", low: 0.5, high: 0.99 },
  "model.hidden": { type: "choice", values: [[32], [64]] },
};
const trial = (id: string, lr: number, objective: number | null, diagnostics: string[] = [], status: SearchDiagnoseTrial["status"] = "completed"): SearchDiagnoseTrial => ({
  id,
  status,
  params: { "training.learningRate": lr, "training.momentum": 0.7, "model.hidden": [32] },
  objective,
  diagnostics,
});

describe("diagnoseSearch", () => {
  it("says nothing about a healthy search with an interior optimum", () => {
    expect(diagnoseSearch({ space, trials: [trial("a", 1e-2, 0.9), trial("b", 1e-3, 0.8)], objective: { goal: "maximize" } })).toEqual([]);
  });

  it("counts diverged and stalled trials", () => {
    const trials = [
      trial("a", 1e-2, 0.9),
      trial("b", 0.5, null, ["loss exploded (2.3 → 9): learning rate likely too high"], "stopped"),
      trial("c", 0.4, null, ["loss became NaN or infinite: learning rate likely too high"], "stopped"),
      trial("d", 1e-3, 0.5),
      trial("e", 1e-3, 0.4, [], "running"),
    ];
    expect(diagnoseSearch({ space, trials, objective: { goal: "maximize" } })).toEqual([
      "2 of 4 trials diverged (learning rate likely too high); all had training.learningRate ≥ 0.4: lower the top of the learning-rate range",
    ]);
  });

  it("says nothing of where trials diverged when no dimension separates them", () => {
    const trials = [
      trial("a", 0.5, 0.9),
      trial("b", 0.5, null, ["loss exploded (2.3 → 9): learning rate likely too high"], "stopped"),
      trial("c", 1e-3, null, ["loss became NaN or infinite: learning rate likely too high"], "stopped"),
      trial("d", 0.6, 0.5),
    ];
    expect(diagnoseSearch({ space, trials, objective: { goal: "maximize" } })[0]).toBe(
      "2 of 4 trials diverged (learning rate likely too high): lower the top of the learning-rate range",
    );
  });

  it("flags a best trial on the edge of a range (log scale for loguniform)", () => {
    const d = diagnoseSearch({ space, trials: [trial("a", 1.5e-4, 0.9), trial("b", 1e-2, 0.5)], objective: { goal: "maximize" } });
    expect(d).toEqual(["best trial's training.learningRate (1.5e-4) is at the lower edge of [1e-4, 1]: the optimum may lie beyond it, widen the range downward"]);
  });

  it("reports when nothing completed", () => {
    const d = diagnoseSearch({ space, trials: [trial("a", 0.9, null, [], "failed")], objective: { goal: "maximize" } });
    expect(d).toEqual(["none of 1 finished trials completed with an objective value: read the trials' diagnostics"]);
  });
});
