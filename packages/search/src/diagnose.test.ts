import { describe, expect, it } from "vitest";
import type { EpochMetrics, TrialMetrics } from "@hps/contracts";
import { chanceLoss, diagnoseTrial } from "./diagnose.ts";

const point = (epoch: number, trainLoss: number, trainAccuracy: number, valAccuracy: number): EpochMetrics => ({
  epoch,
  trainLoss,
  valLoss: trainLoss,
  trainAccuracy,
  valAccuracy,
});
const metrics = (over: Partial<TrialMetrics>): TrialMetrics => ({
  initialLoss: 2.3,
  finalLoss: 0.9,
  trainAccuracy: 0.85,
  valAccuracy: 0.78,
  valLoss: 1,
  epochs: 3,
  ...over,
});
const curve = [point(1, 1.8, 0.6, 0.58), point(2, 1.2, 0.75, 0.72), point(3, 0.9, 0.85, 0.78)];

describe("diagnoseTrial", () => {
  it("says nothing about a healthy run", () => {
    expect(diagnoseTrial({ curve, metrics: metrics({}), classes: 10 })).toEqual([]);
  });

  it("expects ln(C) for softmax and C − 1 for SVM at chance", () => {
    expect(chanceLoss(10)).toBeCloseTo(2.302585, 5);
    expect(chanceLoss(3, "svm")).toBe(2);
    const d = diagnoseTrial({ curve, metrics: metrics({ initialLoss: 9 }), classes: 10 });
    expect(d).toContainEqual(expect.stringMatching(/^initial loss 9 is far from ln\(10\) = 2\.3, .*softmax with small weights/));
    expect(diagnoseTrial({ curve, metrics: metrics({ initialLoss: 2 }), classes: 3, loss: "svm" }).some((s) => s.startsWith("initial loss"))).toBe(false);
  });

  it("flags an exploded or NaN loss as a too-high learning rate", () => {
    expect(diagnoseTrial({ curve, metrics: metrics({ finalLoss: 8 }), classes: 10 })).toContainEqual("loss exploded (2.3 → 8): learning rate likely too high");
    expect(diagnoseTrial({ curve: [], metrics: metrics({ finalLoss: null }), classes: 10, status: "stopped", stopReason: "loss_exploded" })).toEqual([
      "loss exploded: learning rate likely too high",
    ]);
    const nan = diagnoseTrial({ curve: [point(1, Number.NaN, 0.1, 0.1)], metrics: metrics({ finalLoss: Number.NaN }), classes: 10, stopReason: "non_finite" });
    expect(nan).toEqual(["loss became NaN or infinite: learning rate likely too high"]);
  });

  it("flags a loss that barely moved as a too-low learning rate", () => {
    const d = diagnoseTrial({ curve, metrics: metrics({ finalLoss: 2.25, trainAccuracy: 0.2, valAccuracy: 0.19 }), classes: 10 });
    expect(d).toContainEqual(expect.stringMatching(/^loss barely moved \(2\.3 → 2\.25, -2\.17%\): learning rate likely too low$/));
  });

  it("flags a big train/val gap as overfitting and no gap as a reason for a bigger model", () => {
    expect(diagnoseTrial({ curve, metrics: metrics({ trainAccuracy: 0.99, valAccuracy: 0.8 }), classes: 10 })).toEqual([
      "overfitting: train accuracy 0.99 vs val 0.8 (gap 19 points): increase regularisation",
    ]);
    expect(diagnoseTrial({ curve, metrics: metrics({ trainAccuracy: 0.8, valAccuracy: 0.79 }), classes: 10 })).toEqual([
      "no gap between train and val accuracy (train accuracy 0.8 vs val 0.79): the model may be underfitting, consider a bigger model",
    ]);
    // Near-perfect on both: no advice to grow.
    expect(diagnoseTrial({ curve, metrics: metrics({ trainAccuracy: 0.995, valAccuracy: 0.99 }), classes: 10 })).toEqual([]);
  });

  it("falls back to the curve when final metrics are missing", () => {
    const d = diagnoseTrial({ curve: [point(1, 1, 0.99, 0.7)], metrics: null, classes: 10 });
    expect(d).toEqual(["overfitting: train accuracy 0.99 vs val 0.7 (gap 29 points): increase regularisation"]);
  });
});
