import { describe, expect, it } from "vitest";
import { MAX_TRIALS, SearchSpec, type SearchSpecInput } from "@hps/contracts";
import { GridTooLarge, InvalidSpace, SearchError, TooManyTrials } from "./errors.ts";
import { gridSize as gridSizeOf } from "./grid-sampler.ts";
import { planRound, planSearch } from "./plan.ts";

const base: SearchSpecInput = {
  name: "mnist-lr-l2",
  seed: 7,
  dataset: { name: "mnist", trainSize: 2000, valSize: 500, preprocess: "zero_center" },
  training: { epochs: 3, batchSize: 64, optimizer: "momentum", learningRate: 0.01, l2: 0.0001 },
  space: {
    "training.learningRate": { type: "loguniform", low: 0.0001, high: 10 },
    "training.l2": { type: "loguniform", low: 0.000001, high: 0.1 },
    "model.hidden": { type: "choice", values: [[32], [64], [128]] },
  },
  strategy: { type: "random", trials: 20, parallelism: 4 },
  objective: { metric: "valAccuracy", goal: "maximize" },
};
const spec = (over: Partial<SearchSpecInput>) => SearchSpec.parse({ ...base, ...over });

describe("planSearch", () => {
  it("plans trials × rounds for random search", () => {
    expect(planSearch(spec({}))).toEqual({ plannedTrials: 20, rounds: 1, trialsPerRound: 20 });
    expect(planSearch(spec({ strategy: { type: "random", trials: 20, rounds: 3 } }))).toEqual({
      plannedTrials: 60,
      rounds: 3,
      trialsPerRound: 20,
    });
  });

  it("plans grid size × rounds for grid search", () => {
    const s = spec({
      strategy: { type: "grid", rounds: 2 },
      space: {
        "training.learningRate": { type: "loguniform", low: 1e-4, high: 1, points: 5 },
        "model.hidden": { type: "choice", values: [[32], [64]] },
      },
    });
    expect(planSearch(s)).toEqual({ plannedTrials: 20, rounds: 2, trialsPerRound: 10 });
  });

  it("throws GridTooLarge with the size and the cap for a grid of 10^6", () => {
    const s = spec({
      strategy: { type: "grid" },
      space: {
        "training.learningRate": { type: "loguniform", low: 1e-4, high: 1, points: 100 },
        "training.l2": { type: "loguniform", low: 1e-6, high: 1, points: 100 },
        "training.momentum": { type: "uniform", low: 0, high: 0.9, points: 100 },
      },
    });
    try {
      planSearch(s);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GridTooLarge);
      expect(e).toBeInstanceOf(SearchError);
      const g = e as GridTooLarge;
      expect(g.code).toBe("grid_too_large");
      expect(g.size).toBe(1_000_000);
      expect(g.cap).toBe(MAX_TRIALS);
      expect(g.message).toContain("1,000,000");
      expect(g.message).toContain("100,000");
    }
  });

  it("counts rounds against the cap", () => {
    const s = spec({
      strategy: { type: "grid", rounds: 3 },
      space: {
        "training.learningRate": { type: "loguniform", low: 1e-4, high: 1, points: 100 },
        "training.l2": { type: "loguniform", low: 1e-6, high: 1, points: 400 },
      },
    });
    expect(gridSizeOf(s.space)).toBe(40_000);
    expect(() => planSearch(s)).toThrow(GridTooLarge);
    expect(() => planSearch(spec({ strategy: { type: "random", trials: 50_000, rounds: 3 } }))).toThrow(TooManyTrials);
    // The cap itself is allowed: one search may plan 100,000 trials.
    expect(planSearch(spec({ strategy: { type: "random", trials: 50_000, rounds: 2 } })).plannedTrials).toBe(MAX_TRIALS);
  });

  it("rejects a grid over a numeric dimension without points with InvalidSpace naming the path", () => {
    try {
      planSearch(spec({ strategy: { type: "grid" } }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidSpace);
      expect((e as InvalidSpace).path).toMatch(/^space\.(training\.learningRate|training\.l2)$/);
    }
  });
});

describe("planRound", () => {
  it("is deterministic and gives strategy.trials assignments for random", () => {
    const s = spec({});
    const a = planRound(s, 0, s.space, s.seed);
    expect(a).toHaveLength(20);
    expect(planRound(s, 0, structuredClone(s.space), s.seed)).toEqual(a);
    expect(planRound(s, 1, s.space, s.seed)).not.toEqual(a);
  });

  it("gives the whole grid for grid search", () => {
    const s = spec({
      strategy: { type: "grid" },
      space: { "training.learningRate": { type: "loguniform", low: 1e-3, high: 1, points: 4 }, "model.hidden": { type: "choice", values: [[32], [64]] } },
    });
    const a = planRound(s, 0, s.space, s.seed);
    expect(a).toHaveLength(8);
    expect(a.map((x) => x["training.learningRate"] as number).slice(0, 4)).toEqual([1e-3, expect.closeTo(1e-2, 12), expect.closeTo(1e-1, 12), 1]);
  });
});
