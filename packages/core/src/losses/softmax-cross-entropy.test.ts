import { describe, expect, it } from "vitest";
import { gradCheck } from "../gradcheck.ts";
import { randn, expectGradientMatches } from "../test-kit.ts";
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

  it("matches the plain formula: gradient bit for bit, loss within float64 rounding (also ±∞, NaN scores)", () => {
    const rng = new Rng(3);
    const batch = 50, classes = 4;
    const scores = randn(rng, batch * classes, 5);
    scores.set([Infinity, 0, 1, 2, -Infinity, 0, 1, 2, NaN, 0, 1, 2, NaN, NaN, NaN, NaN, 3, 3, 3, 3], 0);
    const labels = Int32Array.from({ length: batch }, () => rng.int(classes));
    const loss = new SoftmaxCrossEntropy();
    const got = loss.forward(scores, labels, batch, classes);
    const want = new Float32Array(batch * classes);
    let total = 0;
    for (let i = 0; i < batch; i++) {
      const row = scores.subarray(i * classes, (i + 1) * classes);
      const max = row.reduce((m, v) => (v > m ? v : m), -Infinity);
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += (want[i * classes + j] = Math.exp(row[j]! - max), Math.exp(row[j]! - max));
      total += Math.log(sum) - (row[labels[i]!]! - max);
      for (let j = 0; j < classes; j++) want[i * classes + j] *= 1 / batch / sum;
      want[i * classes + labels[i]!] -= 1 / batch;
    }
    expect(Number.isNaN(got)).toBe(true); // rows 2 and 3 hold NaN
    expect(Array.from(loss.backward())).toEqual(Array.from(want));
    const finite = scores.subarray(4 * classes), finiteLabels = labels.subarray(4);
    const rows = batch - 4;
    const got2 = loss.forward(finite, finiteLabels, rows, classes);
    let total2 = 0;
    for (let i = 0; i < rows; i++) {
      const row = finite.subarray(i * classes, (i + 1) * classes);
      const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
      total2 += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - (row[finiteLabels[i]!]! - max);
    }
    expect(Math.abs(got2 - total2 / rows)).toBeLessThan(1e-13 * (total2 / rows));
    expect(Number.isNaN(total)).toBe(true);
  });

  it("passes a gradient check", () => {
    const rng = new Rng(1);
    const loss = new SoftmaxCrossEntropy();
    const scores = randn(rng, 6 * 5, 2);
    const labels = Int32Array.from({ length: 6 }, () => rng.int(5));
    loss.forward(scores, labels, 6, 5);
    const analytic = Float64Array.from(loss.backward());
    const r = gradCheck(() => loss.forward(scores, labels, 6, 5), scores, analytic, { h: 1e-2 });
    expectGradientMatches(r, "d(loss)/d(scores)");
  });

  it("rejects labels out of range", () => {
    expect(() => new SoftmaxCrossEntropy().forward(new Float32Array(6), new Int32Array([0, 3]), 2, 3)).toThrow(/label 3/);
  });
});
