import { describe, expect, it } from "vitest";
import { gradCheck } from "../gradcheck.ts";
import { randn } from "../layers/test-data.ts";
import { Rng } from "../rng.ts";
import { SoftmaxCrossEntropy } from "./softmax-cross-entropy.ts";

describe("SoftmaxCrossEntropy", () => {
  it("is −log softmax of the true class, averaged over the batch", () => {
    const loss = new SoftmaxCrossEntropy();
    const s = new Float32Array([1, 2, 3, 0, 0, 0]);
    const want = (-Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3))) + Math.log(3)) / 2;
    expect(loss.forward(s, new Int32Array([0, 2]), 2, 3)).toBeCloseTo(want, 6);
  });

  it("gives ln(classes) for equal scores (the lecture's initial-loss sanity check)", () => {
    const loss = new SoftmaxCrossEntropy();
    expect(loss.forward(new Float32Array(4 * 10), new Int32Array([0, 3, 9, 5]), 4, 10)).toBeCloseTo(Math.log(10), 6);
  });

  it("stays finite for huge scores (max-shifted)", () => {
    const loss = new SoftmaxCrossEntropy();
    const v = loss.forward(new Float32Array([1e30, -1e30, 0, 3e38]), new Int32Array([1, 0]), 2, 2);
    expect(Number.isFinite(v)).toBe(true);
    for (const g of loss.backward()) expect(Number.isFinite(g)).toBe(true);
  });

  it("passes a gradient check", () => {
    const rng = new Rng(1);
    const loss = new SoftmaxCrossEntropy();
    const scores = randn(rng, 6 * 5, 2);
    const labels = Int32Array.from({ length: 6 }, () => rng.int(5));
    loss.forward(scores, labels, 6, 5);
    const analytic = Float64Array.from(loss.backward());
    const r = gradCheck(() => loss.forward(scores, labels, 6, 5), scores, analytic, { h: 1e-2 });
    expect(r.maxRelError).toBeLessThan(1e-2);
  });

  it("rejects labels out of range", () => {
    expect(() => new SoftmaxCrossEntropy().forward(new Float32Array(6), new Int32Array([0, 3]), 2, 3)).toThrow(/label 3/);
  });
});
