import { describe, expect, it } from "vitest";
import { SearchSpec } from "@hps/contracts";
import { configAcceptor, planNextSpace, type RoundTrial } from "./next-round.ts";
import { TopFractionNarrower } from "./top-fraction-narrower.ts";

const spec = SearchSpec.parse({
  seed: 1,
  dataset: { name: "spiral" },
  space: {
    "training.learningRate": { type: "loguniform", low: 1e-4, high: 1 },
    "training.momentum": { type: "uniform", low: 0.5, high: 0.99 },
  },
  strategy: { type: "random", trials: 8, rounds: 2, keepFraction: 0.25 },
  objective: { metric: "valLoss", goal: "minimize" },
});

const trial = (id: string, status: RoundTrial["status"], lr: number, momentum: number, objective: number | null): RoundTrial => ({
  id,
  status,
  params: { "training.learningRate": lr, "training.momentum": momentum },
  objective,
});

describe("planNextSpace", () => {
  it("ranks by the spec's objective, ignores unfinished/failed trials, and respects config limits when widening", () => {
    const trials = [
      trial("a", "completed", 1e-2, 0.98, 0.2), // best (minimize); momentum at the upper edge
      trial("b", "completed", 3e-2, 0.9, 0.3),
      trial("c", "completed", 1e-4, 0.6, 1.5),
      trial("d", "completed", 0.5, 0.55, 2.0),
      trial("e", "failed", 1e-3, 0.7, null),
      trial("f", "stopped", 0.9, 0.5, 0.01), // stopped trials never define ranges
      trial("g", "completed", 2e-4, 0.65, 1.1),
      trial("h", "completed", 0.2, 0.7, 0.9),
    ];
    // The plumbing (ranking direction, which trials count, config limits) with the simplest narrower.
    const r = planNextSpace(spec, spec.space, trials, { narrower: new TopFractionNarrower() });
    expect(r.of).toBe(6);
    expect(r.kept).toBe(2);
    const lr = r.space["training.learningRate"] as { low: number; high: number };
    expect(lr.low).toBeLessThanOrEqual(1e-2);
    expect(lr.high).toBeGreaterThanOrEqual(3e-2);
    expect(lr.high).toBeLessThan(1);
    const m = r.space["training.momentum"] as { low: number; high: number };
    // Widened upward, but TrainingConfig caps momentum at 0.9999.
    expect(m.high).toBeGreaterThan(0.99);
    expect(m.high).toBeLessThanOrEqual(0.9999);
    expect(r.reasons["training.momentum"]).toMatch(/upper edge.*widened upward/);
  });

  it("configAcceptor checks values against the spec's config schema", () => {
    const accepts = configAcceptor(spec);
    expect(accepts("training.momentum", 0.95)).toBe(true);
    expect(accepts("training.momentum", 1.2)).toBe(false);
    expect(accepts("training.batchSize", 2.5)).toBe(false);
  });
});
