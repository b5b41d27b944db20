import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import { Rng } from "../rng.ts";
import { Conv } from "./conv.ts";
import { randn, expectGradientMatches } from "../test-kit.ts";

/** Direct 7-loop convolution, the definition the im2col lowering must equal. */
function naiveConv(x: Float32Array, N: number, C: number, H: number, W: number, w: Float32Array, b: Float32Array, F: number, K: number, S: number, P: number) {
  const Ho = (H + 2 * P - K) / S + 1;
  const Wo = (W + 2 * P - K) / S + 1;
  const y = new Float64Array(N * F * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let f = 0; f < F; f++)
      for (let oy = 0; oy < Ho; oy++)
        for (let ox = 0; ox < Wo; ox++) {
          let s = b[f]!;
          for (let c = 0; c < C; c++)
            for (let ki = 0; ki < K; ki++)
              for (let kj = 0; kj < K; kj++) {
                const iy = oy * S - P + ki;
                const ix = ox * S - P + kj;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) s += x[((n * C + c) * H + iy) * W + ix]! * w[((f * C + c) * K + ki) * K + kj]!;
              }
          y[((n * F + f) * Ho + oy) * Wo + ox] = s;
        }
  return y;
}

const configs = [
  { C: 3, H: 7, W: 5, F: 4, K: 3, S: 2, P: 1 },
  { C: 2, H: 5, W: 5, F: 3, K: 1, S: 1, P: 0 },
  { C: 1, H: 6, W: 6, F: 2, K: 5, S: 1, P: 2 },
  { C: 2, H: 4, W: 6, F: 2, K: 2, S: 2, P: 0 },
];

describe("Conv", () => {
  it.each(configs)("equals the direct convolution: %o", ({ C, H, W, F, K, S, P }) => {
    const rng = new Rng(1);
    const conv = new Conv([C, H, W], { filters: F, size: K, stride: S, pad: P, rng });
    for (let i = 0; i < F; i++) conv.b.value[i] = rng.normal();
    const N = 3;
    const x = randn(rng, N * C * H * W);
    const y = conv.forward(x, N, true);
    const want = naiveConv(x, N, C, H, W, conv.W.value, conv.b.value, F, K, S, P);
    expect(conv.outShape).toEqual([F, (H + 2 * P - K) / S + 1, (W + 2 * P - K) / S + 1]);
    expect(y.length).toBe(want.length);
    for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(want[i]!, 5);
  });

  it.each(configs)("passes a gradient check: %o", ({ C, H, W, F, K, S, P }) => {
    const rng = new Rng(2);
    const conv = new Conv([C, H, W], { filters: F, size: K, stride: S, pad: P, rng, name: "0" });
    for (let i = 0; i < F; i++) conv.b.value[i] = rng.normal();
    const r = layerGradCheck(conv, randn(rng, 2 * C * H * W), 2, rng);
    expectGradientMatches(r.dx, "dx");
    expectGradientMatches(r.params["0.W"], "0.W");
    expectGradientMatches(r.params["0.b"], "0.b");
  });

  it("rejects a filter that does not tile the input, naming the layer", () => {
    expect(() => new Conv([1, 14, 14], { filters: 2, size: 5, stride: 2, name: "3" })).toThrow(
      "conv 3: (14 + 2·0 − 5)/2 + 1 = 5.5 is not an integer",
    );
    expect(() => new Conv([1, 3, 3], { filters: 2, size: 5 })).toThrow(/does not fit/);
  });

  it("initialises W with He's std √(2/(C·K·K)) and b with zeros", () => {
    const conv = new Conv([8, 10, 10], { filters: 64, size: 3, rng: new Rng(3) });
    const w = conv.W.value;
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 72), 2);
    expect(conv.b.value.every((v) => v === 0)).toBe(true);
  });
});
