import { describe, expect, it } from "vitest";
import { SuccessiveHalvingStopRule } from "./successive-halving-stop-rule.ts";

/** 8 others whose value at every epoch is 0.1 … 0.8. */
const others = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((v) => Array.from({ length: 9 }, () => v));
const curve = (v: number, epochs: number) => Array.from({ length: epochs }, () => v);

describe("SuccessiveHalvingStopRule", () => {
  it("has rungs at r·η^(s+k)", () => {
    const sha = new SuccessiveHalvingStopRule();
    expect([1, 2, 3, 4, 9, 10, 27].map((e) => sha.rungOf(e))).toEqual([0, null, 1, null, 2, null, 3]);
    const late = new SuccessiveHalvingStopRule({ minEpochs: 2, reductionFactor: 2, minEarlyStoppingRate: 1 });
    expect([2, 4, 8, 16].map((e) => late.rungOf(e))).toEqual([null, 0, 1, 2]);
  });

  it("keeps the top ⌊n/η⌋ at a rung and prunes the rest (maximize)", () => {
    const sha = new SuccessiveHalvingStopRule();
    // n = 9 with the trial itself: top 3 continue: 0.75 is 2nd, 0.55 is 4th.
    expect(sha.shouldPrune({ curve: curve(0.75, 3), others, goal: "maximize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.55, 3), others, goal: "maximize" })).toEqual({
      prune: true,
      reason: "0.55 is number 4 of 9 trials at rung 1 (epoch 3); the top 3 continue",
    });
  });

  it("minimize: smaller is better", () => {
    const sha = new SuccessiveHalvingStopRule();
    expect(sha.shouldPrune({ curve: curve(0.25, 1), others, goal: "minimize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.35, 1), others, goal: "minimize" }).prune).toBe(true);
  });

  it("never prunes between rungs, and lets the best of two continue", () => {
    const sha = new SuccessiveHalvingStopRule();
    expect(sha.shouldPrune({ curve: curve(0, 2), others, goal: "maximize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.9, 1), others: [[0.5]], goal: "maximize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.4, 1), others: [[0.5]], goal: "maximize" }).prune).toBe(true);
  });

  it("prunes a non-finite value at a rung and validates options", () => {
    expect(new SuccessiveHalvingStopRule().shouldPrune({ curve: [null], others, goal: "maximize" }).prune).toBe(true);
    expect(() => new SuccessiveHalvingStopRule({ reductionFactor: 1 })).toThrow(/1/);
    expect(() => new SuccessiveHalvingStopRule({ minEpochs: 0 })).toThrow(/0/);
  });
});
