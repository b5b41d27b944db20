import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SearchSpec, isConfigPath, trialConfigFor, baseConfigOf } from "./search-spec.ts";

const valid = {
  name: "t",
  seed: 7,
  dataset: { name: "spiral", trainSize: 300, valSize: 100 },
  model: { type: "mlp", hidden: [16] },
  training: { epochs: 2, learningRate: 0.1 },
  space: {
    "training.learningRate": { type: "loguniform", low: 1e-4, high: 10 },
    "model.hidden": { type: "choice", values: [[8], [16, 16]] },
  },
  strategy: { type: "random", trials: 4, parallelism: 2 },
};

const issuePaths = (input: unknown): string[] => {
  const r = SearchSpec.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
};

describe("SearchSpec", () => {
  it("accepts the documented examples unchanged: docs/examples/mnist-lr-l2.json (the design brief's spec) and README's curl body", () => {
    const doc = JSON.parse(readFileSync(new URL("../../../docs/examples/mnist-lr-l2.json", import.meta.url), "utf8"));
    expect(SearchSpec.parse(doc)).toMatchObject(doc);
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const body = /-d '(\{[\s\S]*?\})'/.exec(readme)?.[1];
    expect(body).toBeDefined();
    expect(SearchSpec.parse(JSON.parse(body!))).toMatchObject(JSON.parse(body!));
  });

  it("fills defaults (objective, lossFactor, parallelism) when a spec omits them", () => {
    const spec = SearchSpec.parse({ ...valid, strategy: { type: "random", trials: 4 } });
    expect(spec.objective).toEqual({ metric: "valAccuracy", goal: "maximize" });
    expect(spec.earlyStopping.lossFactor).toBe(3);
    expect(spec.strategy.parallelism).toBe(4);
  });

  it("rejects unknown keys at any depth", () => {
    expect(SearchSpec.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    expect(SearchSpec.safeParse({ ...valid, model: { ...valid.model, foo: 1 } }).success).toBe(false);
  });

  it("names the field of each numeric-range problem", () => {
    expect(issuePaths({ ...valid, space: { "training.l2": { type: "uniform", low: 1, high: 1 } } })).toEqual(["space.training.l2.low"]);
    expect(issuePaths({ ...valid, space: { "training.l2": { type: "loguniform", low: 0, high: 1 } } })).toEqual(["space.training.l2.low"]);
    expect(issuePaths({ ...valid, space: { "training.learningRate": { type: "loguniform", low: 0, high: 1 } } })).toEqual([
      "space.training.learningRate.low",
    ]);
    expect(issuePaths({ ...valid, strategy: { type: "random", trials: 0 } })).toEqual(["strategy.trials"]);
    expect(issuePaths({ ...valid, strategy: { type: "random", trials: 3, parallelism: 0 } })).toEqual(["strategy.parallelism"]);
  });

  it("rejects unknown space paths and values their field cannot take", () => {
    expect(issuePaths({ ...valid, space: { "training.nope": { type: "uniform", low: 0, high: 1 } } })).toEqual(["space.training.nope"]);
    expect(issuePaths({ ...valid, space: { "training.optimizer": { type: "choice", values: ["adam", "bogus"] } } })).toEqual([
      "space.training.optimizer.values.1",
    ]);
    expect(issuePaths({ ...valid, space: { "training.epochs": { type: "int", low: 1, high: 100000 } } })).toEqual(["space.training.epochs.high"]);
  });

  it("reports only the real issue when a base field is invalid", () => {
    expect(issuePaths({ ...valid, training: { ...valid.training, epochs: -1 } })).toEqual(["training.epochs"]);
  });

  it("knows the config's paths", () => {
    expect(isConfigPath("training.learningRate")).toBe(true);
    expect(isConfigPath("model.hidden")).toBe(true);
    expect(isConfigPath("model.initFrom.freezeLayers")).toBe(true);
    expect(isConfigPath("training.learningRate.x")).toBe(false);
    expect(isConfigPath("nope")).toBe(false);
  });

  it("writes sampled values into a copy of the base config", () => {
    const spec = SearchSpec.parse(valid);
    const base = baseConfigOf(spec);
    const cfg = trialConfigFor(base, { "training.learningRate": 0.5, "model.hidden": [8] });
    expect(cfg.training.learningRate).toBe(0.5);
    expect(cfg.model.hidden).toEqual([8]);
    expect(base.training.learningRate).toBe(0.1);
  });

  it("takes tpe with startupTrials, rounds as an array, and either pruner, filling documented defaults", () => {
    const spec = SearchSpec.parse({
      ...valid,
      strategy: {
        type: "tpe",
        trials: 20,
        rounds: [{ trials: 27, epochs: 1 }, { trials: 9, epochs: 3 }, { keepFraction: 0.5 }],
        pruner: { type: "asha" },
      },
    });
    expect(spec.strategy).toEqual({
      type: "tpe",
      trials: 20,
      parallelism: 4,
      startupTrials: 10,
      keepFraction: 0.25,
      rounds: [{ trials: 27, epochs: 1 }, { trials: 9, epochs: 3 }, { keepFraction: 0.5 }],
      pruner: { type: "asha", minEpochs: 1, reductionFactor: 3 },
      maxFailedTrials: 10,
      keepModels: 5,
    });
    const median = SearchSpec.parse({ ...valid, strategy: { type: "random", trials: 4, pruner: { type: "median" } } });
    expect(median.strategy.pruner).toEqual({ type: "median", warmupEpochs: 1, minTrials: 5 });
    expect(median.strategy.rounds).toBe(1);
  });

  it("rejects unknown keys and bad values in rounds and pruners, with their paths", () => {
    const strat = (strategy: unknown) => issuePaths({ ...valid, strategy });
    expect(strat({ type: "random", trials: 4, rounds: [{ trials: 2, epoch: 3 }] })).toEqual(["strategy.rounds.0"]);
    expect(strat({ type: "random", trials: 4, rounds: [] })).toEqual(["strategy.rounds"]);
    expect(strat({ type: "grid", rounds: [{ trials: 2 }] })).toEqual(["strategy.rounds.0"]);
    expect(strat({ type: "random", trials: 4, pruner: { type: "asha", reductionFactor: 1 } })).toEqual(["strategy.pruner.reductionFactor"]);
    expect(strat({ type: "random", trials: 4, pruner: { type: "median", warmup: 1 } })).toEqual(["strategy.pruner"]);
    expect(strat({ type: "random", trials: 4, pruner: { type: "hyperband" } })).toEqual(["strategy.pruner.type"]);
    expect(strat({ type: "tpe", trials: 4, startupTrials: 0 })).toEqual(["strategy.startupTrials"]);
    expect(strat({ type: "random", trials: 4, startupTrials: 3 })).toEqual(["strategy"]);
  });
});
