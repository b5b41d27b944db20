import { describe, expect, it } from "vitest";
import type { Space } from "@hps/contracts";
import { InvalidSpace } from "./errors.ts";
import { RandomSampler } from "./random-sampler.ts";

const sampler = new RandomSampler();

/** Kolmogorov–Smirnov distance between sorted samples in [0, 1] and U(0, 1). */
function ksUniform(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  let d = 0;
  s.forEach((x, i) => {
    d = Math.max(d, Math.abs((i + 1) / s.length - x), Math.abs(x - i / s.length));
  });
  return d;
}

function quantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
}

describe("RandomSampler", () => {
  const N = 4000;
  // KS critical value at α = 0.001 is 1.95/√n; with a fixed seed this is a regression check, not a flaky one.
  const KS_CRIT = 1.95 / Math.sqrt(N);

  it("samples loguniform uniformly in log space (quantiles and KS)", () => {
    const space: Space = { "training.learningRate": { type: "loguniform", low: 1e-6, high: 1 } };
    const xs = sampler.sample(space, { seed: 11, round: 0, count: N }).map((a) => a["training.learningRate"] as number);
    // Position in log space, mapped to [0, 1]: log10(x) ∈ [-6, 0].
    const u = xs.map((x) => (Math.log10(x) + 6) / 6);
    expect(ksUniform(u)).toBeLessThan(KS_CRIT);
    const sorted = [...u].sort((a, b) => a - b);
    for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) expect(Math.abs(quantile(sorted, q) - q)).toBeLessThan(0.03);
    // Each decade gets about a sixth of the samples — a linear-uniform sampler would put 90% in the top decade.
    const topDecade = xs.filter((x) => x >= 0.1).length / N;
    expect(Math.abs(topDecade - 1 / 6)).toBeLessThan(0.03);
  });

  it("samples uniform uniformly (KS)", () => {
    const space: Space = { "training.momentum": { type: "uniform", low: -2, high: 3 } };
    const xs = sampler.sample(space, { seed: 3, round: 0, count: N }).map((a) => a["training.momentum"] as number);
    expect(ksUniform(xs.map((x) => (x + 2) / 5))).toBeLessThan(KS_CRIT);
  });

  it("samples int inclusive of both bounds, each value about equally often (chi-square)", () => {
    const space: Space = { "training.epochs": { type: "int", low: 1, high: 5 } };
    const xs = sampler.sample(space, { seed: 5, round: 0, count: N }).map((a) => a["training.epochs"] as number);
    const counts = [1, 2, 3, 4, 5].map((v) => xs.filter((x) => x === v).length);
    expect(counts.every((c) => c > 0)).toBe(true);
    const e = N / 5;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(18.47); // χ²(4 dof) at α = 0.001
  });

  it("samples every choice value about equally often", () => {
    const space: Space = { "model.activation": { type: "choice", values: ["relu", "tanh", "elu"] } };
    const xs = sampler.sample(space, { seed: 9, round: 0, count: 3000 }).map((a) => a["model.activation"]);
    for (const v of ["relu", "tanh", "elu"]) expect(Math.abs(xs.filter((x) => x === v).length - 1000)).toBeLessThan(120);
  });

  it("gives different trials for different seeds and rounds, and a value independent of other dimensions", () => {
    const space: Space = { a: { type: "uniform", low: 0, high: 1 }, b: { type: "uniform", low: 0, high: 1 } };
    const base = sampler.sample(space, { seed: 1, round: 0, count: 10 });
    expect(sampler.sample(space, { seed: 2, round: 0, count: 10 })).not.toEqual(base);
    expect(sampler.sample(space, { seed: 1, round: 1, count: 10 })).not.toEqual(base);
    const onlyA = sampler.sample({ a: space.a! }, { seed: 1, round: 0, count: 10 });
    expect(onlyA.map((x) => x.a)).toEqual(base.map((x) => x.a));
    // No two trials collide.
    expect(new Set(base.map((x) => x.a)).size).toBe(10);
  });

  it("ignores grid points", () => {
    const space: Space = { a: { type: "uniform", low: 0, high: 1, points: 2 } };
    const xs = sampler.sample(space, { seed: 1, round: 0, count: 20 }).map((x) => x.a);
    expect(xs.some((x) => x !== 0 && x !== 1)).toBe(true);
  });

  it("rejects an invalid range with InvalidSpace naming the path", () => {
    const space = { "training.l2": { type: "loguniform", low: 0, high: 1 } } as Space;
    expect(() => sampler.sample(space, { seed: 1, round: 0, count: 1 })).toThrow(InvalidSpace);
    try {
      sampler.sample(space, { seed: 1, round: 0, count: 1 });
    } catch (e) {
      expect((e as InvalidSpace).dimension).toBe("training.l2");
      expect((e as InvalidSpace).code).toBe("invalid_range");
    }
  });
});
