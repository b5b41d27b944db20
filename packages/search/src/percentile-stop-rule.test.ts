import { describe, expect, it } from "vitest";
import { MedianStopRule } from "./median-stop-rule.ts";
import { PercentileStopRule, percentileOf } from "./percentile-stop-rule.ts";

// Five others with values 0.1..0.5 at epoch 2.
const others = [0.1, 0.2, 0.3, 0.4, 0.5].map((v) => [v / 2, v]);

describe("PercentileStopRule / MedianStopRule", () => {
  it("the median rule is the percentile rule at 50", () => {
    const m = new MedianStopRule({ warmupEpochs: 1 });
    expect(m).toBeInstanceOf(PercentileStopRule);
    expect(m.percentile).toBe(50);
    for (const v of [0.05, 0.25, 0.3, 0.35, 0.6]) {
      const input = { curve: [0, v], others, goal: "maximize" as const };
      expect(m.shouldPrune(input)).toEqual(new PercentileStopRule({ percentile: 50, warmupEpochs: 1 }).shouldPrune(input));
    }
  });

  it("prunes below the median of others at the same epoch (maximize), keeps at or above", () => {
    const m = new MedianStopRule();
    expect(m.shouldPrune({ curve: [0.1, 0.29], others, goal: "maximize" })).toEqual({
      prune: true,
      reason: "best objective so far 0.29 is worse than the 50th percentile (0.3) of 5 other trials at epoch 2",
    });
    expect(m.shouldPrune({ curve: [0.1, 0.3], others, goal: "maximize" }).prune).toBe(false);
  });

  it("uses the trial's best value so far, not its last one", () => {
    const m = new MedianStopRule();
    expect(m.shouldPrune({ curve: [0.35, 0.05], others, goal: "maximize" }).prune).toBe(false);
  });

  it("minimize: prunes above the median", () => {
    const m = new MedianStopRule();
    expect(m.shouldPrune({ curve: [1, 0.31], others, goal: "minimize" }).prune).toBe(true);
    expect(m.shouldPrune({ curve: [1, 0.29], others, goal: "minimize" }).prune).toBe(false);
  });

  it("percentile 25 keeps only the top quarter; 75 prunes only the bottom quarter", () => {
    const strict = new PercentileStopRule({ percentile: 25 });
    const lenient = new PercentileStopRule({ percentile: 75 });
    // maximize: thresholds are the 75th (0.4) and 25th (0.2) percentiles.
    expect(strict.shouldPrune({ curve: [0, 0.35], others, goal: "maximize" }).prune).toBe(true);
    expect(lenient.shouldPrune({ curve: [0, 0.35], others, goal: "maximize" }).prune).toBe(false);
    expect(lenient.shouldPrune({ curve: [0, 0.15], others, goal: "maximize" }).prune).toBe(true);
  });

  it("respects warm-up and the minimum number of others", () => {
    expect(new MedianStopRule({ warmupEpochs: 2 }).shouldPrune({ curve: [0, 0], others, goal: "maximize" }).prune).toBe(false);
    expect(new MedianStopRule({ warmupEpochs: 2 }).shouldPrune({ curve: [0, 0, 0], others: others.map((c) => [...c, 0.5]), goal: "maximize" }).prune).toBe(true);
    expect(new MedianStopRule({ minTrials: 6 }).shouldPrune({ curve: [0, 0], others, goal: "maximize" }).prune).toBe(false);
  });

  it("never prunes at the round's last epoch (maxEpochs)", () => {
    const m = new MedianStopRule({ maxEpochs: 2 });
    expect(m.shouldPrune({ curve: [0, 0], others, goal: "maximize" }).prune).toBe(false);
    expect(new MedianStopRule({ maxEpochs: 3 }).shouldPrune({ curve: [0, 0], others, goal: "maximize" }).prune).toBe(true);
  });

  it("prunes a trial with no finite value after warm-up", () => {
    const d = new MedianStopRule().shouldPrune({ curve: [null, null], others, goal: "maximize" });
    expect(d.prune).toBe(true);
    expect(d.reason).toMatch(/no finite/);
  });

  it("validates its options with messages naming the value", () => {
    expect(() => new PercentileStopRule({ percentile: 120 })).toThrow(/120/);
    expect(() => new MedianStopRule({ warmupEpochs: -1 })).toThrow(/-1/);
    expect(() => new MedianStopRule({ minTrials: 0 })).toThrow(/0/);
  });

  it("percentileOf interpolates like numpy", () => {
    expect(percentileOf([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileOf([1, 2, 3, 4], 25)).toBe(1.75);
    expect(percentileOf([7], 90)).toBe(7);
  });
});
