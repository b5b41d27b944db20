import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import { Rng } from "../rng.ts";
import { BatchNorm } from "./batch-norm.ts";
import { randn, expectGradientMatches } from "../test-kit.ts";

function channelStats(y: Float32Array, batch: number, C: number, P: number, c: number) {
  let s = 0;
  let s2 = 0;
  for (let n = 0; n < batch; n++) for (let p = 0; p < P; p++) s += y[(n * C + c) * P + p]!;
  const m = batch * P;
  const mean = s / m;
  for (let n = 0; n < batch; n++) for (let p = 0; p < P; p++) s2 += (y[(n * C + c) * P + p]! - mean) ** 2;
  return { mean, variance: s2 / m };
}

describe("BatchNorm", () => {
  it.each([
    ["[N, D]", [4], 4, 1],
    ["[N, C, H, W]", [3, 2, 3], 3, 6],
  ])("normalises each channel of %s to mean 0, variance 1 in training", (_, shape, C, P) => {
    const rng = new Rng(1);
    const bn = new BatchNorm(shape);
    const x = randn(rng, 5 * C * P, 3);
    for (let i = 0; i < x.length; i++) x[i] += 7;
    const y = bn.forward(x, 5, true);
    for (let c = 0; c < C; c++) {
      const { mean, variance } = channelStats(y, 5, C, P, c);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(variance).toBeCloseTo(1, 3);
    }
  });

  it("updates running statistics like PyTorch (momentum 0.1, unbiased running variance)", () => {
    const bn = new BatchNorm([1]);
    bn.forward(new Float32Array([1, 2, 3, 6]), 4, true); // mean 3, biased var 3.5, unbiased 14/3
    expect(bn.runningMean[0]).toBeCloseTo(0.3, 6);
    expect(bn.runningVar[0]).toBeCloseTo(0.9 + 0.1 * (14 / 3), 6);
    // Evaluation uses them: (x − 0.3)/√(rv + eps).
    const y = bn.forward(new Float32Array([1]), 1, false);
    expect(y[0]).toBeCloseTo((1 - 0.3) / Math.sqrt(0.9 + 1.4 / 3 + 1e-5), 5);
  });

  it("leaves the running variance alone when a channel has one value", () => {
    const bn = new BatchNorm([2]);
    const y = bn.forward(new Float32Array([4, 5]), 1, true);
    expect(Array.from(y)).toEqual([0, 0]);
    expect(Array.from(bn.runningVar)).toEqual([1, 1]);
  });

  it.each([
    ["[N, D], training", [5], true],
    ["[N, C, H, W], training", [2, 3, 2], true],
    ["[N, C, H, W], evaluation", [2, 3, 2], false],
  ])("passes a gradient check for %s", (_, shape, training) => {
    const rng = new Rng(2);
    const bn = new BatchNorm(shape, { name: "1" });
    for (let i = 0; i < bn.gamma.value.length; i++) {
      bn.gamma.value[i] = 0.5 + rng.uniform();
      bn.beta.value[i] = rng.normal();
      bn.runningMean[i] = 0.3 * rng.normal();
      bn.runningVar[i] = 0.5 + rng.uniform();
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const r = layerGradCheck(bn, randn(rng, 4 * size), 4, rng, { training });
    expectGradientMatches(r.dx, "dx");
    expectGradientMatches(r.params["1.gamma"], "1.gamma");
    expectGradientMatches(r.params["1.beta"], "1.beta");
  });

  it("saves its running statistics as named buffers and does not decay γ, β", () => {
    const bn = new BatchNorm([3], { name: "2" });
    expect(bn.buffers().map((b) => b.name)).toEqual(["2.runningMean", "2.runningVar"]);
    expect(bn.params().map((p) => p.decay)).toEqual([false, false]);
  });
});
