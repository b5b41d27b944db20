import { describe, expect, it } from "vitest";
import { mulberry32 } from "./prng.ts";
import { MedianStopRule } from "./median-stop-rule.ts";
import { PercentileStopRule } from "./percentile-stop-rule.ts";
import type { StopInput, StopRule } from "./stop-rule.ts";
import { AshaStopRule } from "./asha-stop-rule.ts";
import { stopRuleFor } from "./stop-rule-for.ts";

/**
 * One conformance suite over every StopRule. Assumes the rules under test
 * make at least one decision by epoch 10 and need at most 20 other trials.
 */
const RULES: Array<[string, StopRule]> = [
  ["MedianStopRule", new MedianStopRule()],
  ["MedianStopRule(warmup 3, minTrials 2)", new MedianStopRule({ warmupEpochs: 3, minTrials: 2 })],
  ["PercentileStopRule(25)", new PercentileStopRule({ percentile: 25 })],
  ["PercentileStopRule(75)", new PercentileStopRule({ percentile: 75, minTrials: 1 })],
  ["AshaStopRule", new AshaStopRule()],
  ["AshaStopRule(r 2, η 2)", new AshaStopRule({ minEpochs: 2, reductionFactor: 2 })],
  ["stopRuleFor(median spec, 10 epochs)", stopRuleFor({ type: "median", warmupEpochs: 1, minTrials: 5 }, 10)],
  ["stopRuleFor(asha spec, 10 epochs)", stopRuleFor({ type: "asha", minEpochs: 1, reductionFactor: 3 }, 10)],
];

const rng = mulberry32(42);
/** 20 other curves of 10 epochs: rising accuracies with noise. */
const OTHERS: number[][] = Array.from({ length: 20 }, () => {
  const rate = 0.05 + 0.1 * rng.next();
  return Array.from({ length: 10 }, (_, e) => Math.min(1, 0.1 + rate * (e + 1) + 0.02 * rng.next()));
});
const at = (e: number) => OTHERS.map((c) => c[e - 1]!);

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object") {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}
const negate = (input: StopInput): StopInput => ({
  curve: input.curve.map((v) => (v === null ? null : -v)),
  others: input.others.map((c) => c.map((v) => (v === null ? null : -v))),
  goal: input.goal === "maximize" ? "minimize" : "maximize",
});

describe.each(RULES)("StopRule conformance: %s", (_name, rule) => {
  const worst: number[] = Array.from({ length: 10 }, (_, e) => Math.min(...at(e + 1)) - 0.05);
  const best: number[] = Array.from({ length: 10 }, (_, e) => Math.max(...at(e + 1)) + 0.01);

  it("is deterministic, does not mutate its input, and explains itself", () => {
    const input = deepFreeze({ curve: [...worst], others: structuredClone(OTHERS), goal: "maximize" as const });
    const a = rule.shouldPrune(input);
    expect(rule.shouldPrune(input)).toEqual(a);
    expect(a.reason.length).toBeGreaterThan(0);
  });

  it("never prunes before any epoch, or without other trials", () => {
    expect(rule.shouldPrune({ curve: [], others: OTHERS, goal: "maximize" }).prune).toBe(false);
    expect(rule.shouldPrune({ curve: worst, others: [], goal: "maximize" }).prune).toBe(false);
  });

  it("never prunes a trial at least as good as every other at its epoch", () => {
    for (let e = 1; e <= 10; e++) expect(rule.shouldPrune({ curve: best.slice(0, e), others: OTHERS, goal: "maximize" }).prune).toBe(false);
  });

  it("prunes a trial worse than every other at some epoch up to 10", () => {
    const epochs = Array.from({ length: 10 }, (_, e) => e + 1);
    expect(epochs.some((e) => rule.shouldPrune({ curve: worst.slice(0, e), others: OTHERS, goal: "maximize" }).prune)).toBe(true);
  });

  it("is symmetric: negated values with the opposite goal give the same decision", () => {
    for (let e = 1; e <= 10; e++) {
      for (const curve of [worst.slice(0, e), best.slice(0, e), OTHERS[3]!.slice(0, e), OTHERS[11]!.slice(0, e)]) {
        const input: StopInput = { curve, others: OTHERS, goal: "maximize" };
        expect(rule.shouldPrune(negate(input)).prune).toBe(rule.shouldPrune(input).prune);
      }
    }
  });

  it("never prunes at or past the last epoch it is told of (a fully trained trial)", () => {
    const r = rule;
    for (const e of [1, 2, 3, 4, 5, 6]) {
      const bounded = r instanceof AshaStopRule ? new AshaStopRule({ minEpochs: r.minEpochs, reductionFactor: r.reductionFactor, maxEpochs: e }) : r instanceof PercentileStopRule ? new PercentileStopRule({ percentile: r.percentile, warmupEpochs: r.warmupEpochs, minTrials: r.minTrials, maxEpochs: e }) : null;
      if (bounded) expect(bounded.shouldPrune({ curve: worst.slice(0, e), others: OTHERS, goal: "maximize" }).prune).toBe(false);
    }
  });

  it("ignores others that have not reached the epoch", () => {
    const short = OTHERS.map((c) => c.slice(0, 5));
    expect(rule.shouldPrune({ curve: worst, others: short, goal: "maximize" }).prune).toBe(false);
  });
});
