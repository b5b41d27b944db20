import { describe, expect, it } from "vitest";
import { Space as SpaceSchema, type Space } from "@hps/contracts";
import { mulberry32 } from "./prng.ts";
import { GridSampler } from "./grid-sampler.ts";
import type { NarrowTrial, Narrower } from "./narrower.ts";
import { RandomSampler } from "./random-sampler.ts";
import { TopFractionNarrower } from "./top-fraction-narrower.ts";
import { ImportanceNarrower } from "./importance-narrower.ts";
import { checkSpace } from "./validate-space.ts";

/**
 * One conformance suite over every Narrower: deterministic, no mutation, same
 * paths and types out as in, a valid (sampleable) space, a reason per path,
 * the kept trials' values stay inside the new space, and no trials → no change.
 */
const NARROWERS: Array<[string, Narrower]> = [
  ["TopFractionNarrower", new TopFractionNarrower()],
  ["TopFractionNarrower(margin 0, edge 0.2)", new TopFractionNarrower({ marginFraction: 0, edgeFraction: 0.2 })],
  ["ImportanceNarrower", new ImportanceNarrower()],
  ["ImportanceNarrower(margin 0, floor 0.05, edge 0.2)", new ImportanceNarrower({ marginFraction: 0, minWidthFraction: 0.05, edgeFraction: 0.2, importantAbove: 0, noiseImportance: 0, fullAt: 0.1 })],
];

const SPACE: Space = {
  "training.learningRate": { type: "loguniform", low: 1e-5, high: 1, points: 4 },
  "training.momentum": { type: "uniform", low: 0.5, high: 0.99, points: 3 },
  "training.batchSize": { type: "int", low: 16, high: 256, points: 3 },
  "model.hidden": { type: "choice", values: [[32], [64], [128]] },
};

/** A round of random trials scored by a smooth function with its optimum inside the ranges. */
function round(space: Space, seed: number): NarrowTrial[] {
  const params = new RandomSampler().sample(space, { seed, round: 0, count: 30 });
  const score = (p: Record<string, unknown>) =>
    -((Math.log10(p["training.learningRate"] as number) + 2.5) ** 2) - (((p["training.momentum"] as number) - 0.8) * 5) ** 2 - Math.abs((p["training.batchSize"] as number) - 100) / 100;
  return params.map((p) => ({ params: p, objective: score(p) })).sort((a, b) => b.objective - a.objective);
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object") {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

describe.each(NARROWERS)("Narrower conformance: %s", (_name, narrower) => {
  const trials = round(SPACE, 3);

  it("is deterministic and does not mutate its input", () => {
    const input = deepFreeze({ space: structuredClone(SPACE), trials: structuredClone(trials), keepFraction: 0.25 });
    const a = narrower.narrow(input);
    expect(narrower.narrow(input)).toEqual(a);
    expect(input.space).toEqual(SPACE);
  });

  it("keeps every path and distribution type (and grid points), gives a valid sampleable space and a reason per path", () => {
    for (const keepFraction of [0.1, 0.25, 0.5, 1]) {
      const r = narrower.narrow({ space: SPACE, trials, keepFraction });
      expect(Object.keys(r.space).sort()).toEqual(Object.keys(SPACE).sort());
      for (const [path, dist] of Object.entries(SPACE)) {
        expect(r.space[path]!.type).toBe(dist.type);
        if ("points" in dist) expect((r.space[path] as { points?: number }).points).toBe(dist.points);
        expect(typeof r.reasons[path]).toBe("string");
        expect(r.reasons[path]).toContain(path);
      }
      expect(() => checkSpace(r.space)).not.toThrow();
      expect(new RandomSampler().sample(r.space, { seed: 1, round: 1, count: 5 })).toHaveLength(5);
      expect(new GridSampler().sample(r.space, { seed: 1, round: 1, count: 1000 }).length).toBeGreaterThan(0);
      expect(r.of).toBe(trials.length);
      expect(r.kept).toBe(Math.max(1, Math.ceil(keepFraction * trials.length)));
    }
  });

  it("keeps the kept trials' values inside the new space", () => {
    const r = narrower.narrow({ space: SPACE, trials, keepFraction: 0.3 });
    for (const t of trials.slice(0, r.kept)) {
      for (const [path, dist] of Object.entries(r.space)) {
        const v = t.params[path];
        if (dist.type === "choice") expect(dist.values).toContainEqual(v);
        else {
          expect(v as number).toBeGreaterThanOrEqual(dist.low);
          expect(v as number).toBeLessThanOrEqual(dist.high);
        }
      }
    }
  });

  it("never widens a range without saying so", () => {
    const r = narrower.narrow({ space: SPACE, trials, keepFraction: 0.25 });
    for (const [path, dist] of Object.entries(r.space)) {
      if (dist.type === "choice") continue;
      const prev = SPACE[path] as { low: number; high: number };
      if (dist.low < prev.low || dist.high > prev.high) expect(r.reasons[path]).toMatch(/widened/);
    }
  });

  it("always yields a space the contracts' schema accepts, containing the kept values (random rounds, values on the edges)", () => {
    for (let seed = 0; seed < 40; seed++) {
      const rng = mulberry32(seed);
      const ts = round(SPACE, seed).map((t, i) => {
        // Push some values onto the bounds, where edge widening kicks in.
        if (rng.next() < 0.3) return { ...t, params: { ...t.params, "training.learningRate": i % 2 ? 1 : 1e-5, "training.batchSize": i % 2 ? 256 : 16 } };
        return t;
      });
      const keepFraction = 0.05 + 0.95 * rng.next();
      const r = narrower.narrow({ space: SPACE, trials: ts, keepFraction });
      expect(SpaceSchema.safeParse(r.space).success).toBe(true);
      for (const t of ts.slice(0, r.kept))
        for (const [path, dist] of Object.entries(r.space))
          if (dist.type !== "choice") {
            expect(t.params[path] as number).toBeGreaterThanOrEqual(dist.low);
            expect(t.params[path] as number).toBeLessThanOrEqual(dist.high);
          }
    }
  });

  it("keeps the kept trials' values inside the new space when some trials diverged (at high learning rates)", () => {
    for (let seed = 0; seed < 20; seed++) {
      const ts = round(SPACE, seed);
      const diverged = ts.filter((t) => (t.params["training.learningRate"] as number) > 0.1).map((t) => ({ params: t.params }));
      const trained = ts.filter((t) => (t.params["training.learningRate"] as number) <= 0.1);
      const r = narrower.narrow({ space: SPACE, trials: trained, diverged, keepFraction: 0.3 });
      expect(SpaceSchema.safeParse(r.space).success).toBe(true);
      for (const t of trained.slice(0, r.kept))
        for (const [path, dist] of Object.entries(r.space))
          if (dist.type !== "choice") {
            expect(t.params[path] as number).toBeGreaterThanOrEqual(dist.low);
            expect(t.params[path] as number).toBeLessThanOrEqual(dist.high);
          }
    }
  });

  it("leaves the space unchanged without trials", () => {
    const r = narrower.narrow({ space: SPACE, trials: [], keepFraction: 0.25 });
    expect(r.space).toEqual(SPACE);
    expect(r.kept).toBe(0);
  });
});
