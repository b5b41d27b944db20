import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import { Rng } from "../rng.ts";
import { Dropout } from "./dropout.ts";
import { randn, ReplayRng, expectGradientMatches } from "../test-kit.ts";

describe("Dropout", () => {
  it("drops a fraction p and scales survivors by 1/(1 − p), keeping the mean", () => {
    const p = 0.3;
    const layer = new Dropout([1000], p, new Rng(1));
    const x = new Float32Array(20 * 1000).fill(2);
    const y = layer.forward(x, 20, true);
    let zeros = 0;
    let sum = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(2 / 0.7, 5);
      sum += v;
    }
    expect(zeros / y.length).toBeCloseTo(p, 2);
    expect(sum / y.length).toBeCloseTo(2, 1);
  });

  it("is the identity in evaluation and draws a new mask every training step", () => {
    const layer = new Dropout([50], 0.5, new Rng(2));
    const x = randn(new Rng(3), 50);
    expect(layer.forward(x, 1, false)).toBe(x);
    const a = Array.from(layer.forward(x, 1, true));
    const b = Array.from(layer.forward(x, 1, true));
    expect(a).not.toEqual(b);
  });

  it("is reproducible from the seed", () => {
    const x = randn(new Rng(4), 64);
    const a = Array.from(new Dropout([64], 0.5, new Rng(5)).forward(x, 1, true));
    const b = Array.from(new Dropout([64], 0.5, new Rng(5)).forward(x, 1, true));
    expect(a).toEqual(b);
  });

  it("passes a gradient check with a fixed mask", () => {
    const batch = 3;
    const layer = new Dropout([2, 4], 0.4, new ReplayRng(6, 1));
    const rng = new Rng(7);
    const r = layerGradCheck(layer, randn(rng, batch * 8), batch, rng);
    expectGradientMatches(r.dx, "dx");
  });

  it("rejects p outside [0, 1)", () => {
    expect(() => new Dropout([3], 1, new Rng(0))).toThrow(/\[0, 1\)/);
    expect(() => new Dropout([3], -0.1, new Rng(0))).toThrow();
  });
});
