import { describe, expect, it } from "vitest";
import { SearchSpec } from "@hps/contracts";
import { planSearch, roundSize } from "./plan.ts";
import { resolveRounds, roundCount } from "./rounds.ts";

const spec = (strategy: unknown) =>
  SearchSpec.parse({ dataset: { name: "spiral" }, training: { epochs: 9 }, space: { "training.l2": { type: "uniform", low: 0, high: 1, points: 3 } }, strategy });

describe("rounds", () => {
  it("a number of rounds repeats the strategy's trials, the training epochs and keepFraction", () => {
    const s = spec({ type: "random", trials: 5, rounds: 2, keepFraction: 0.5 });
    expect(resolveRounds(s.strategy, s.training.epochs)).toEqual([
      { trials: 5, epochs: 9, keepFraction: 0.5 },
      { trials: 5, epochs: 9, keepFraction: 0.5 },
    ]);
  });

  it("an array of rounds overrides each default per round, and plans the sum of its trials", () => {
    const s = spec({ type: "tpe", trials: 4, rounds: [{ trials: 27, epochs: 1 }, { trials: 9, epochs: 3, keepFraction: 0.1 }, {}] });
    expect(resolveRounds(s.strategy, s.training.epochs)).toEqual([
      { trials: 27, epochs: 1, keepFraction: 0.25 },
      { trials: 9, epochs: 3, keepFraction: 0.1 },
      { trials: 4, epochs: 9, keepFraction: 0.25 },
    ]);
    expect(roundCount(s.strategy)).toBe(3);
    expect(planSearch(s)).toEqual({ plannedTrials: 40, rounds: 3, trialsPerRound: 27 });
    expect([0, 1, 2].map((i) => roundSize(s.strategy, s.space, i))).toEqual([27, 9, 4]);
  });

  it("a grid's rounds take their size from the grid", () => {
    const s = spec({ type: "grid", rounds: [{ epochs: 1 }, { epochs: 4 }] });
    expect(resolveRounds(s.strategy, 9).map((r) => [r.trials, r.epochs])).toEqual([
      [null, 1],
      [null, 4],
    ]);
    expect(planSearch(s)).toEqual({ plannedTrials: 6, rounds: 2, trialsPerRound: 3 });
  });
});
