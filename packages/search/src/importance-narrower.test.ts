import { describe, expect, it } from "vitest";
import type { Assignment, Space } from "@hps/contracts";
import { importanceOf } from "./importance.ts";
import { ImportanceNarrower } from "./importance-narrower.ts";
import { mulberry32 } from "./prng.ts";
import { RandomSampler } from "./random-sampler.ts";
import type { NarrowTrial } from "./narrower.ts";

/**
 * Synthetic rounds: the objective depends strongly on the learning rate (peak at 1e-2, in log
 * space) and not at all on l2 — whose values are random, so its best value can sit at an edge
 * by chance — plus noise.
 */
const SPACE: Space = {
  "training.learningRate": { type: "loguniform", low: 1e-5, high: 1 },
  "training.l2": { type: "loguniform", low: 1e-5, high: 0.1 },
  "model.hidden": { type: "choice", values: [[32], [64], [128]] },
};
const value = (p: Assignment, noise: number) => -((Math.log10(p["training.learningRate"] as number) + 2) ** 2) + noise;

function round(seed: number, n = 20): NarrowTrial[] {
  const rng = mulberry32(seed);
  return new RandomSampler()
    .sample(SPACE, { seed, round: 0, count: n })
    .map((params) => ({ params, objective: value(params, 0.05 * rng.next()) }))
    .sort((a, b) => b.objective - a.objective);
}
const logWidth = (s: Space, p: string) => {
  const d = s[p] as { low: number; high: number };
  return Math.log10(d.high / d.low);
};

describe("importanceOf", () => {
  it("is high for the dimension the objective depends on and near 0 for one it does not", () => {
    const trials = round(1, 30).map((t, i) => ({ params: t.params, rank: i / 29 }));
    expect(importanceOf("training.learningRate", SPACE["training.learningRate"]!, trials)).toBeGreaterThan(0.4);
    expect(importanceOf("training.l2", SPACE["training.l2"]!, trials)).toBeLessThan(0.3);
    expect(importanceOf("model.hidden", SPACE["model.hidden"]!, trials)).toBeLessThan(0.3);
  });
});

describe("ImportanceNarrower", () => {
  const narrower = new ImportanceNarrower();

  it("narrows the important dimension and leaves the unimportant one (almost) whole, over many rounds", () => {
    const lr: number[] = [];
    const l2: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const r = narrower.narrow({ space: SPACE, trials: round(seed), keepFraction: 0.25 });
      lr.push(logWidth(r.space, "training.learningRate") / logWidth(SPACE, "training.learningRate"));
      l2.push(logWidth(r.space, "training.l2") / logWidth(SPACE, "training.l2"));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.max(...lr)).toBeLessThan(0.7);
    expect(mean(l2)).toBeGreaterThan(0.9);
    expect(Math.min(...l2)).toBeGreaterThan(0.5);
  });

  it("never widens an unimportant dimension whose best value sits at an edge, and says why", () => {
    const trials = round(4).map((t, i) => (i === 0 ? { ...t, params: { ...t.params, "training.l2": 1.1e-5 } } : t));
    const r = narrower.narrow({ space: SPACE, trials, keepFraction: 0.25 });
    const l2 = r.space["training.l2"] as { low: number; high: number };
    expect(l2.low).toBeGreaterThanOrEqual(1e-5);
    expect(l2.high).toBeLessThanOrEqual(0.1);
    expect(r.reasons["training.l2"]).toMatch(/lower edge, not widened: the objective barely depends on it/);
  });

  it("widens an important dimension at an edge by part of its width, not a whole one", () => {
    const shifted: Space = { ...SPACE, "training.learningRate": { type: "loguniform", low: 1e-2, high: 1 } };
    const trials = new RandomSampler()
      .sample(shifted, { seed: 5, round: 0, count: 20 })
      .map((params) => ({ params, objective: value(params, 0) }))
      .sort((a, b) => b.objective - a.objective);
    const r = narrower.narrow({ space: shifted, trials, keepFraction: 0.25 });
    const lr = r.space["training.learningRate"] as { low: number; high: number };
    expect(lr.low).toBeLessThan(1e-2);
    expect(lr.low).toBeGreaterThan(1e-4); // a whole width would reach 1e-4
    expect(r.reasons["training.learningRate"]).toMatch(/widened downward/);
  });

  it("pulls in a bound beyond which every trial diverged, and says so", () => {
    const trials = round(6);
    const diverged = [0.5, 0.7, 0.9].map((lr) => ({ params: { ...trials[0]!.params, "training.learningRate": lr } }));
    const maxTrained = Math.max(...trials.map((t) => t.params["training.learningRate"] as number));
    const r = narrower.narrow({ space: SPACE, trials: trials.filter((t) => (t.params["training.learningRate"] as number) < 0.3), diverged, keepFraction: 1 });
    const lr = r.space["training.learningRate"] as { high: number };
    expect(lr.high).toBeLessThan(0.5);
    expect(lr.high).toBeGreaterThanOrEqual(Math.min(maxTrained, 0.3));
    expect(r.reasons["training.learningRate"]).toMatch(/pulled the top in to .*: all 3 trials above it diverged/);
  });

  it("keeps every choice value after one noisy round, and a floor of exploration", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = narrower.narrow({ space: SPACE, trials: round(seed), keepFraction: 0.1 });
      expect((r.space["model.hidden"] as { values: unknown[] }).values).toHaveLength(3);
      expect(logWidth(r.space, "training.learningRate")).toBeGreaterThanOrEqual(0.25 * logWidth(SPACE, "training.learningRate") - 1e-9);
    }
  });

  it("drops a choice value that clearly loses when the choice matters", () => {
    const space: Space = { "training.optimizer": { type: "choice", values: ["sgd", "momentum", "adam"] } };
    const trials = ["adam", "momentum", "adam", "momentum", "adam", "momentum", "adam", "sgd", "momentum", "sgd", "sgd", "sgd"].map((o, i) => ({
      params: { "training.optimizer": o },
      objective: -i,
    }));
    const r = narrower.narrow({ space, trials, keepFraction: 0.25 });
    expect(r.space["training.optimizer"]).toEqual({ type: "choice", values: ["momentum", "adam"] });
    expect(r.reasons["training.optimizer"]).toMatch(/dropped "sgd" \(4 trials\)/);
  });
});
