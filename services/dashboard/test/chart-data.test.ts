import { describe, expect, it } from "vitest";
import {
  accuracyGap,
  alignedCurves,
  axisTicks,
  budgetSentences,
  history,
  paramScatter,
  roundRanges,
  roundPaths,
  stoppedByReason,
  type ChartPoints,
} from "../public/js/chart-data.js";

/** Five trials in two rounds: 0.0 and 0.1 completed, 0.2 diverged, 1.0 completed, 1.1 still running. */
function points(goal: "maximize" | "minimize" = "maximize"): ChartPoints {
  return {
    searchId: "00000000-0000-4000-8000-000000000000",
    objective: { metric: "valAccuracy", goal },
    n: 5,
    round: [0, 0, 0, 1, 1],
    index: [0, 1, 2, 0, 1],
    status: [0, 0, 1, 0, 2],
    statuses: ["completed", "stopped", "running"],
    stopReason: [null, null, 0, null, null],
    stopReasons: ["loss_exploded"],
    value: [0.5, 0.7, null, 0.6, null],
    finishOrder: [2, 1, 3, 4, null],
    trainAccuracy: [0.6, 0.9, null, 0.65, null],
    valAccuracy: [0.5, 0.7, null, 0.6, null],
    epochs: [3, 3, 1, 3, 2],
    params: [
      { path: "training.learningRate", scale: "log", values: [0.01, 0.1, 20, 0, 0.05] },
      { path: "model.hidden", scale: "choice", values: [0, 1, 1, null, 0], choices: ["[32]", "[64]"] },
    ],
  };
}

describe("paramScatter", () => {
  it("groups by round the trials with an objective; a log axis drops values <= 0", () => {
    const sc = paramScatter(points(), points().params[0]);
    expect(sc.log).toBe(true);
    expect(sc.choices).toBeNull();
    // 1.0 has learningRate 0 (not drawable on a log axis); 0.2 and 1.1 have no objective.
    expect(sc.facets).toEqual([{ round: 0, xs: [0.01, 0.1], ys: [0.5, 0.7], at: [0, 1] }]);
  });

  it("puts choices at their index, with their labels", () => {
    const sc = paramScatter(points(), points().params[1]);
    expect(sc.choices).toEqual(["[32]", "[64]"]);
    expect(sc.facets.map((f) => [f.round, f.xs, f.ys])).toEqual([[0, [0, 1], [0.5, 0.7]]]);
  });
});

describe("history", () => {
  it("orders final trials by finish order with the best so far (maximize)", () => {
    expect(history(points())).toEqual({ x: [1, 2, 3, 4], value: [0.7, 0.5, null, 0.6], best: [0.7, 0.7, 0.7, 0.7], at: [1, 0, 2, 3] });
  });

  it("takes the minimum when the goal is to minimize", () => {
    expect(history(points("minimize")).best).toEqual([0.7, 0.5, 0.5, 0.5]);
  });
});

describe("accuracyGap and stoppedByReason", () => {
  it("pairs train and val accuracy per trial, by round", () => {
    expect(accuracyGap(points()).map((f) => [f.round, f.xs, f.ys])).toEqual([
      [0, [0.6, 0.9], [0.5, 0.7]],
      [1, [0.65], [0.6]],
    ]);
  });

  it("counts stopped trials by reason", () => {
    expect(stoppedByReason(points())).toEqual([["loss_exploded", 1]]);
  });
});

describe("roundRanges", () => {
  const rounds: Array<{ index: number; space: Record<string, { type: string; low?: number; high?: number; values?: unknown[] }> }> = [
    { index: 0, space: { lr: { type: "loguniform", low: 1e-4, high: 10 }, h: { type: "choice", values: [1, 2, 3] } } },
    { index: 1, space: { lr: { type: "loguniform", low: 1e-3, high: 1 }, h: { type: "choice", values: [2] } } },
    { index: 2, space: { lr: { type: "loguniform", low: 1e-3, high: 0.1 } } },
  ];
  it("lists each round's range of a parameter (the narrowing)", () => {
    expect(roundRanges(rounds, "lr")).toEqual({ log: true, choice: false, rounds: [0, 1, 2], low: [1e-4, 1e-3, 1e-3], high: [10, 1, 0.1] });
  });
  it("gives a choice's number of values per round, leaving out rounds without it", () => {
    expect(roundRanges(rounds, "h")).toEqual({ log: false, choice: true, rounds: [0, 1], low: [0, 0], high: [3, 1] });
    expect(roundPaths(rounds)).toEqual(["lr", "h"]);
  });
});

describe("alignedCurves", () => {
  it("puts trials on one epoch axis, null past their last epoch and for non-finite values", () => {
    const a = { curve: [{ epoch: 1, valLoss: 2, valAccuracy: 0.3 }, { epoch: 2, valLoss: 1, valAccuracy: 0.5 }, { epoch: 3, valLoss: 0.8, valAccuracy: 0.6 }] };
    const diverged = { curve: [{ epoch: 1, valLoss: 40, valAccuracy: 0.1 }, { epoch: 2, valLoss: Number.POSITIVE_INFINITY, valAccuracy: null }] };
    expect(alignedCurves([a, diverged], "valLoss")).toEqual({ epochs: [1, 2, 3], series: [[2, 1, 0.8], [40, null, null]] });
    expect(alignedCurves([], "valLoss")).toEqual({ epochs: [], series: [] });
  });
});

describe("axisTicks", () => {
  const fmt = (v: number) => String(Number(v.toPrecision(3)));
  it("labels a log axis at its ends and the powers of ten between", () => {
    const t = axisTicks({ scale: "log", min: 0.001, max: 10 }, fmt);
    expect(t.map((x) => x.label)).toEqual(["0.001", "0.01", "0.1", "1", "10"]);
    expect(t.map((x) => x.pos)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
  it("spaces categories evenly and steps a linear axis in quarters", () => {
    expect(axisTicks({ scale: "choice", min: null, max: null, choices: ["a", "b", "c"] }, fmt)).toEqual([
      { pos: 0, label: "a" },
      { pos: 0.5, label: "b" },
      { pos: 1, label: "c" },
    ]);
    expect(axisTicks({ scale: "linear", min: 0, max: 1 }, fmt).map((x) => x.label)).toEqual(["0", "0.25", "0.5", "0.75", "1"]);
    expect(axisTicks({ scale: "linear", min: null, max: null }, fmt)).toEqual([]);
  });
});

describe("budgetSentences", () => {
  it("says what was trained and what early stopping saved", () => {
    expect(budgetSentences({ epochsRun: 50, epochsFullBudget: 100, savedByDivergence: 20, savedByPruning: 30 })).toEqual([
      "Trials trained 50 of the 100 epochs they would have run in full (50%).",
      "Stopping diverged trials early saved 20 epochs (20%).",
      "The pruner saved 30 epochs (30%) by stopping unpromising trials.",
    ]);
    expect(budgetSentences({ epochsRun: 0, epochsFullBudget: 0, savedByDivergence: 0, savedByPruning: 0 })).toEqual(["No trial has trained yet."]);
    expect(budgetSentences({ epochsRun: 10, epochsFullBudget: 10, savedByDivergence: 0, savedByPruning: 0 })[1]).toBe("No epoch was saved by early stopping.");
  });
});
