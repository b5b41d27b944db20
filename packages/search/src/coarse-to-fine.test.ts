import { describe, expect, it } from "vitest";
import { SearchSpec, type Space } from "@hps/contracts";
import { planNextSpace, type RoundTrial } from "./next-round.ts";
import { planRound, planSearch } from "./plan.ts";
import { roundCount } from "./rounds.ts";

/**
 * Coarse-to-fine end to end on a synthetic objective (no training): plan a round,
 * "train" each trial, narrow, repeat — as the scheduler does, including a
 * re-plan from scratch that must give identical rounds.
 */
const spec = SearchSpec.parse({
  seed: 7,
  dataset: { name: "spiral" },
  space: {
    "training.learningRate": { type: "loguniform", low: 1e-6, high: 10 },
    "training.l2": { type: "loguniform", low: 1e-6, high: 1 },
    "training.optimizer": { type: "choice", values: ["sgd", "momentum", "adam"] },
  },
  strategy: { type: "random", trials: 30, rounds: 3, keepFraction: 0.2 },
  objective: { metric: "valAccuracy", goal: "maximize" },
});

// Peak at lr = 3e-3, l2 = 1e-4, adam.
function accuracy(p: Record<string, unknown>): number {
  const dl = Math.log10(p["training.learningRate"] as number) - Math.log10(3e-3);
  const dr = Math.log10(p["training.l2"] as number) + 4;
  return 0.95 - 0.05 * dl * dl - 0.02 * dr * dr - (p["training.optimizer"] === "adam" ? 0 : 0.1);
}

function runSearch(): { spaces: Space[]; best: number[] } {
  const spaces: Space[] = [spec.space];
  const best: number[] = [];
  for (let r = 0; r < roundCount(spec.strategy); r++) {
    const trials: RoundTrial[] = planRound(spec, r, spaces[r]!, spec.seed).map((params, i) => ({
      id: `r${r}-t${String(i).padStart(3, "0")}`,
      status: "completed",
      params,
      objective: accuracy(params),
    }));
    best.push(Math.max(...trials.map((t) => t.objective!)));
    if (r + 1 < roundCount(spec.strategy)) spaces.push(planNextSpace(spec, spaces[r]!, trials).space);
  }
  return { spaces, best };
}

describe("coarse-to-fine search", () => {
  it("narrows around the optimum round after round and re-plans identically", () => {
    expect(planSearch(spec)).toEqual({ plannedTrials: 90, rounds: 3, trialsPerRound: 30 });
    const a = runSearch();
    expect(runSearch()).toEqual(a);
    const widthOf = (s: Space) => {
      const d = s["training.learningRate"] as { low: number; high: number };
      return Math.log10(d.high / d.low);
    };
    expect(widthOf(a.spaces[1]!)).toBeLessThan(widthOf(a.spaces[0]!));
    expect(widthOf(a.spaces[2]!)).toBeLessThan(widthOf(a.spaces[1]!));
    const last = a.spaces[2]!["training.learningRate"] as { low: number; high: number };
    expect(last.low).toBeLessThan(3e-3);
    expect(last.high).toBeGreaterThan(3e-3);
    expect(a.best[2]!).toBeGreaterThanOrEqual(a.best[0]!);
  });
});
