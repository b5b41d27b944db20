import { describe, expect, it } from "vitest";
import type { Assignment, Distribution, Space } from "@hps/contracts";
import { GridSampler } from "./grid-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import type { HistoryTrial, Sampler } from "./sampler.ts";
import { TpeSampler } from "./tpe-sampler.ts";

/**
 * One conformance suite run over every Sampler (Optuna-style): seeded
 * reproducibility, independence from key order, the prefix property, bounds and
 * types of every value, and no mutation of / aliasing into the input space.
 */
const SAMPLERS: Sampler[] = [new RandomSampler(), new GridSampler(), new TpeSampler({ startupTrials: 5 })];

// Every numeric dimension has `points` so grid samplers accept the space too.
const SPACE: Space = {
  "training.learningRate": { type: "loguniform", low: 1e-4, high: 10, points: 5 },
  "training.momentum": { type: "uniform", low: 0.5, high: 0.99, points: 3 },
  "training.batchSize": { type: "int", low: 16, high: 256, points: 4 },
  "model.hidden": { type: "choice", values: [[32], [64], [128]] },
  "model.activation": { type: "choice", values: ["relu", "tanh"] },
};

/**
 * A ranked history of 12 finished trials (enough for TPE to model, past its start-up), with
 * some values outside the space (a narrowed round's history) and one missing dimension.
 */
const HISTORY: HistoryTrial[] = new RandomSampler()
  .sample({ ...SPACE, "training.learningRate": { type: "loguniform", low: 1e-5, high: 20 } }, { seed: 99, round: 0, count: 12 })
  .map((params, i) => ({ params: i === 3 ? { ...params, "model.hidden": undefined } : params }));

function reversed(space: Space): Space {
  return Object.fromEntries(Object.entries(space).reverse());
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object") {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

function expectFits(value: unknown, dist: Distribution): void {
  switch (dist.type) {
    case "uniform":
    case "loguniform":
      expect(typeof value).toBe("number");
      expect(value as number).toBeGreaterThanOrEqual(dist.low);
      expect(value as number).toBeLessThanOrEqual(dist.high);
      return;
    case "int":
      expect(Number.isInteger(value)).toBe(true);
      expect(value as number).toBeGreaterThanOrEqual(dist.low);
      expect(value as number).toBeLessThanOrEqual(dist.high);
      return;
    case "choice":
      expect(dist.values).toContainEqual(value);
      return;
  }
}

describe.each(SAMPLERS.map((s) => [s.name, s] as const))("Sampler conformance: %s", (_name, sampler) => {
  const req = { seed: 7, round: 0, count: 40, history: HISTORY };

  it("is reproducible: same (space, seed, round, count) → same assignments", () => {
    const a = sampler.sample(SPACE, req);
    const b = sampler.sample(structuredClone(SPACE), { ...req });
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it("does not depend on the key order of the space (jsonb reorders keys)", () => {
    expect(sampler.sample(reversed(SPACE), req)).toEqual(sampler.sample(SPACE, req));
  });

  it("has the prefix property: asking for more never changes earlier trials", () => {
    const few = sampler.sample(SPACE, { ...req, count: 5 });
    const many = sampler.sample(SPACE, { ...req, count: 25 });
    expect(few).toHaveLength(5);
    expect(many.slice(0, 5)).toEqual(few);
  });

  it("plans trial i the same alone as in a batch (firstIndex), as a scheduler filling slots does", () => {
    const all = sampler.sample(SPACE, { ...req, count: 8 });
    expect(sampler.sample(SPACE, { ...req, firstIndex: 3, count: 5 })).toEqual(all.slice(3));
    expect(sampler.sample(SPACE, { ...req, firstIndex: 6, count: 1 })).toEqual(all.slice(6, 7));
  });

  it("does not mutate the history", () => {
    const frozen = deepFreeze(structuredClone(HISTORY));
    expect(sampler.sample(SPACE, { ...req, history: frozen, count: 10 })).toEqual(sampler.sample(SPACE, { ...req, count: 10 }));
  });

  it("returns no more than count assignments, and none for count 0", () => {
    expect(sampler.sample(SPACE, { ...req, count: 0 })).toEqual([]);
    expect(sampler.sample(SPACE, { ...req, count: 3 })).toHaveLength(3);
  });

  it("assigns every dimension a value within bounds and of the right type, with or without history", () => {
    const out = [...sampler.sample(SPACE, { ...req, count: 500 }), ...sampler.sample(SPACE, { ...req, history: [], count: 100 })];
    for (const a of out) {
      expect(Object.keys(a).sort()).toEqual(Object.keys(SPACE).sort());
      for (const [path, dist] of Object.entries(SPACE)) expectFits(a[path], dist);
    }
  });

  it("does not mutate the space and returns values not aliased to it", () => {
    const frozen = deepFreeze(structuredClone(SPACE));
    const out: Assignment[] = sampler.sample(frozen, { ...req, count: 10 });
    const hidden = (frozen["model.hidden"] as { values: unknown[] }).values;
    for (const a of out) expect(hidden.some((v) => v === a["model.hidden"])).toBe(false);
    expect(frozen).toEqual(SPACE);
  });

  it("handles an empty space (the base config alone)", () => {
    const out = sampler.sample({}, { ...req, count: 2 });
    expect(out.length).toBeGreaterThanOrEqual(1);
    for (const a of out) expect(a).toEqual({});
  });
});
