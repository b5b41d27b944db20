import { describe, expect, it } from "vitest";
import type { Param } from "../layer.ts";
import { Adam } from "./adam.ts";

function param(values: number[]): Param {
  return { name: "w", shape: [values.length], value: Float32Array.from(values), grad: new Float32Array(values.length), decay: true, frozen: false };
}

describe("Adam bias correction", () => {
  it("corrected, the first step is lr·sign(g); uncorrected it is (1 − β1)/√(1 − β2) times that", () => {
    const lr = 0.01;
    const steps = [true, false].map((corrected) => {
      const p = param([1, -2]);
      p.grad.set([0.5, -4]);
      new Adam(0.9, 0.999, 1e-8, corrected).step([p], lr);
      return [1 - p.value[0], -2 - p.value[1]];
    });
    expect(steps[0][0]).toBeCloseTo(lr, 6);
    expect(steps[0][1]).toBeCloseTo(-lr, 6);
    const factor = 0.1 / Math.sqrt(0.001);
    expect(steps[1][0]).toBeCloseTo(lr * factor, 5);
    expect(steps[1][1]).toBeCloseTo(-lr * factor, 5);
  });
});
