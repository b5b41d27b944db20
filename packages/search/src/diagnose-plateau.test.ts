import { describe, expect, it } from "vitest";
import type { EpochMetrics } from "@hps/contracts";
import { ADVICE, diagnoseTrial } from "./diagnose.ts";

const curveOf = (losses: number[]): EpochMetrics[] => losses.map((l, i) => ({ epoch: i + 1, trainLoss: l, valLoss: l, trainAccuracy: 0.5, valAccuracy: 0.5 }));
const run = (losses: number[]) =>
  diagnoseTrial({ curve: curveOf(losses), metrics: { initialLoss: 1.1, finalLoss: losses.at(-1)!, trainAccuracy: 0.5, valAccuracy: 0.5, valLoss: 1, epochs: losses.length }, classes: 3 });

describe("diagnoseTrial: flat, then drops (bad initialisation)", () => {
  it("names a loss that stays at its initial value for a while and then falls", () => {
    const out = run([1.1, 1.1, 1.1, 1.1, 1.09, 1.0, 0.8, 0.6, 0.5, 0.4]);
    expect(out.filter((s) => s.endsWith(ADVICE.badInit))).toHaveLength(1);
    expect(out.join("\n")).toContain("first 5 of 10 epochs");
  });

  it("does not name a run that drops from the start, or one that never drops", () => {
    expect(run([0.9, 0.7, 0.6, 0.5, 0.45, 0.4, 0.38, 0.36, 0.35, 0.34]).some((s) => s.endsWith(ADVICE.badInit))).toBe(false);
    const stalled = run([1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.09]);
    expect(stalled.some((s) => s.endsWith(ADVICE.badInit))).toBe(false);
    expect(stalled.some((s) => s.endsWith(ADVICE.lrTooLow))).toBe(true);
  });

  it("needs the plateau to last at least PLATEAU_MIN_EPOCHS and a fifth of the run", () => {
    expect(run([1.1, 1.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35]).some((s) => s.endsWith(ADVICE.badInit))).toBe(false);
  });
});
