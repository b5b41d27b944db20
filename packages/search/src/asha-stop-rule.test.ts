import { describe, expect, it } from "vitest";
import { AshaStopRule } from "./asha-stop-rule.ts";

/** 8 others whose value at every epoch is 0.1 … 0.8. */
const others = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((v) => Array.from({ length: 9 }, () => v));
const curve = (v: number, epochs: number) => Array.from({ length: epochs }, () => v);

describe("AshaStopRule", () => {
  it("has rungs at r·η^k strictly below the round's epochs", () => {
    const sha = new AshaStopRule();
    expect([1, 2, 3, 4, 9, 10, 27].map((e) => sha.rungOf(e))).toEqual([0, null, 1, null, 2, null, 3]);
    const r2 = new AshaStopRule({ minEpochs: 2, reductionFactor: 2, maxEpochs: 16 });
    expect([1, 2, 4, 8, 16].map((e) => r2.rungOf(e))).toEqual([null, 0, 1, 2, null]);
    expect(r2.rungs()).toEqual([2, 4, 8]);
    expect(new AshaStopRule({ maxEpochs: 9 }).rungs()).toEqual([1, 3]);
  });

  it("never prunes at the round's last epoch, even the worst trial", () => {
    const sha = new AshaStopRule({ maxEpochs: 3 });
    expect(sha.shouldPrune({ curve: curve(0, 3), others, goal: "maximize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0, 1), others, goal: "maximize" }).prune).toBe(true);
  });

  it("keeps the top ⌊n/η⌋ at a rung and prunes the rest (maximize)", () => {
    const sha = new AshaStopRule();
    // n = 9 with the trial itself: top 3 continue: 0.75 is 2nd, 0.55 is 4th.
    expect(sha.shouldPrune({ curve: curve(0.75, 3), others, goal: "maximize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.55, 3), others, goal: "maximize" })).toEqual({
      prune: true,
      reason: "0.55 is number 4 of 9 trials at rung 1 (epoch 3); the top 3 continue",
    });
  });

  it("minimize: smaller is better", () => {
    const sha = new AshaStopRule();
    expect(sha.shouldPrune({ curve: curve(0.25, 1), others, goal: "minimize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.35, 1), others, goal: "minimize" }).prune).toBe(true);
  });

  it("never prunes between rungs, and lets the best of two continue", () => {
    const sha = new AshaStopRule();
    expect(sha.shouldPrune({ curve: curve(0, 2), others, goal: "maximize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.9, 1), others: [[0.5]], goal: "maximize" }).prune).toBe(false);
    expect(sha.shouldPrune({ curve: curve(0.4, 1), others: [[0.5]], goal: "maximize" }).prune).toBe(true);
  });

  it("prunes a non-finite value at a rung and validates options", () => {
    expect(new AshaStopRule().shouldPrune({ curve: [null], others, goal: "maximize" }).prune).toBe(true);
    expect(() => new AshaStopRule({ reductionFactor: 1 })).toThrow(/1/);
    expect(() => new AshaStopRule({ minEpochs: 0 })).toThrow(/0/);
  });
});
