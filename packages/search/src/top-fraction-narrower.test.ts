import { describe, expect, it } from "vitest";
import type { Space } from "@hps/contracts";
import type { NarrowTrial } from "./narrower.ts";
import { formatNumber, keptCount } from "./narrower.ts";
import { TopFractionNarrower } from "./top-fraction-narrower.ts";

const narrower = new TopFractionNarrower();
const LR = "training.learningRate";

/** Trials with the given values at one path, ranked in the given order (best first). */
const trialsAt = (path: string, values: unknown[]): NarrowTrial[] => values.map((v, i) => ({ params: { [path]: v }, objective: -i }));

describe("TopFractionNarrower", () => {
  it("narrows a loguniform range around the top trials in log space, with the reason", () => {
    const space: Space = { [LR]: { type: "loguniform", low: 1e-6, high: 1 } };
    // Top 5 of 20 between 1e-4 and 1e-3; the rest spread out.
    const values = [3e-4, 1e-4, 5e-4, 1e-3, 2e-4, ...Array.from({ length: 15 }, (_, i) => 10 ** (-6 + (6 * i) / 14))];
    const r = narrower.narrow({ space, trials: trialsAt(LR, values), keepFraction: 0.25 });
    const d = r.space[LR] as { low: number; high: number };
    // span [1e-4, 1e-3] widened by 0.1 × 6 decades = 0.6 decades each side.
    expect(d.low).toBeCloseTo(10 ** -4.6, 7);
    expect(d.high).toBeCloseTo(10 ** -2.4, 4);
    expect(d.low).toBeLessThanOrEqual(10 ** -4.6);
    expect(d.high).toBeGreaterThanOrEqual(10 ** -2.4);
    expect(r.reasons[LR]).toBe(`${LR} narrowed to [2.51e-5, 3.99e-3] around the top 5 of 20 trials`);
  });

  it("narrows a uniform range linearly and clips to the previous range", () => {
    const space: Space = { "training.momentum": { type: "uniform", low: 0, high: 1 } };
    const r = narrower.narrow({ space, trials: trialsAt("training.momentum", [0.5, 0.6, 0.12, 0.3, 0.9, 0.95]), keepFraction: 0.5 });
    expect(r.space["training.momentum"]).toEqual({ type: "uniform", low: 0.02, high: 0.7 });
  });

  it("widens upward by one range-width (log space) when the best trial is at the upper edge", () => {
    const space: Space = { [LR]: { type: "loguniform", low: 1e-4, high: 1e-1 } };
    const r = narrower.narrow({ space, trials: trialsAt(LR, [0.09, 0.03, 1e-3, 1e-4]), keepFraction: 0.5 });
    const d = r.space[LR] as { low: number; high: number };
    expect(d.high).toBeCloseTo(100, 9); // 1e-1 × (1e-1 / 1e-4)
    expect(d.low).toBeLessThan(0.03);
    expect(d.low).toBeGreaterThan(1e-3);
    expect(r.reasons[LR]).toMatch(/^training\.learningRate: best values at the upper edge of the range: widened upward to \[.*, 100\]/);
  });

  it("widens downward when the best trial is at the lower edge", () => {
    const space: Space = { "training.l2": { type: "uniform", low: 10, high: 20 } };
    const r = narrower.narrow({ space, trials: trialsAt("training.l2", [10.5, 12, 19]), keepFraction: 0.5 });
    expect(r.space["training.l2"]).toEqual({ type: "uniform", low: 0, high: 13 });
    expect(r.reasons["training.l2"]).toMatch(/lower edge.*widened downward/);
  });

  it("widens only as far as `accepts` allows, and says when it cannot", () => {
    const space: Space = { "training.momentum": { type: "uniform", low: 0.5, high: 0.99 } };
    const accepts = (_p: string, v: number) => v >= 0 && v <= 0.9999;
    const up = narrower.narrow({ space, trials: trialsAt("training.momentum", [0.98, 0.7]), keepFraction: 1, accepts });
    const d = up.space["training.momentum"] as { low: number; high: number };
    expect(d.high).toBeLessThanOrEqual(0.9999);
    expect(d.high).toBeGreaterThan(0.999);
    expect(up.reasons["training.momentum"]).toMatch(/widened upward/);
    const none = narrower.narrow({ space, trials: trialsAt("training.momentum", [0.98]), keepFraction: 1, accepts: (_p, v) => v <= 0.99 });
    expect((none.space["training.momentum"] as { high: number }).high).toBe(0.99);
    expect(none.reasons["training.momentum"]).toMatch(/upper edge.*0\.99 is the highest valid value/);
  });

  it("keeps int ranges integral with low < high", () => {
    const space: Space = { "training.batchSize": { type: "int", low: 1, high: 101, points: 5 } };
    const r = narrower.narrow({ space, trials: trialsAt("training.batchSize", [50, 50, 50, 3]), keepFraction: 0.5 });
    const d = r.space["training.batchSize"] as { low: number; high: number; points: number };
    expect(Number.isInteger(d.low) && Number.isInteger(d.high)).toBe(true);
    expect(d).toEqual({ type: "int", low: 40, high: 60, points: 5 });
    const tight = new TopFractionNarrower({ marginFraction: 0 }).narrow({ space, trials: trialsAt("training.batchSize", [50]), keepFraction: 1 });
    expect(tight.space["training.batchSize"]).toMatchObject({ low: 50, high: 51 });
  });

  it("keeps the choice values seen among the top trials, in their original order", () => {
    const space: Space = { "model.hidden": { type: "choice", values: [[32], [64], [128], [256]] } };
    const r = narrower.narrow({ space, trials: trialsAt("model.hidden", [[128], [32], [128], [64], [256], [256]]), keepFraction: 0.5 });
    expect(r.space["model.hidden"]).toEqual({ type: "choice", values: [[32], [128]] });
    expect(r.reasons["model.hidden"]).toBe("model.hidden kept 2 of 4 values ([32], [128]) seen among the top 3 of 6 trials");
  });
});

describe("keptCount and formatNumber", () => {
  it("rounds the kept count up, at least one", () => {
    expect(keptCount(20, 0.25)).toBe(5);
    expect(keptCount(21, 0.25)).toBe(6);
    expect(keptCount(3, 0.01)).toBe(1);
    expect(keptCount(0, 0.5)).toBe(0);
  });
  it("formats bounds readably", () => {
    expect(formatNumber(1e-4)).toBe("1e-4");
    expect(formatNumber(3e-3)).toBe("3e-3");
    expect(formatNumber(0.05)).toBe("0.05");
    expect(formatNumber(0.000251)).toBe("2.51e-4");
    expect(formatNumber(12345)).toBe("1.23e4");
    expect(formatNumber(0.5)).toBe("0.5");
  });
});
