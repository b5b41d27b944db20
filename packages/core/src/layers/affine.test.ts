import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import { Rng } from "../rng.ts";
import { Affine } from "./affine.ts";
import { arena, randn, expectGradientMatches } from "../test-kit.ts";

describe("Affine", () => {
  it("computes y = x·W + b with W [in, out] row-major", () => {
    const layer = new Affine([2], { out: 3 });
    layer.W.value.set([1, 2, 3, 4, 5, 6]); // rows: input features
    layer.b.value.set([0.5, -1, 0]);
    const y = layer.forward(arena([1, 1, 2, -1]), 2, true);
    expect(Array.from(y)).toEqual([5.5, 6, 9, -1.5, -2, 0]);
    expect(layer.outShape).toEqual([3]);
  });

  it("passes a gradient check on a flat input", () => {
    const rng = new Rng(1);
    const layer = new Affine([5], { out: 3, rng, name: "0" });
    const r = layerGradCheck(layer, randn(rng, 4 * 5), 4, rng);
    expectGradientMatches(r.dx, "dx");
    expectGradientMatches(r.params["0.W"], "0.W");
    expectGradientMatches(r.params["0.b"], "0.b");
  });

  it("flattens an image input in NCHW order and passes a gradient check", () => {
    const rng = new Rng(2);
    const layer = new Affine([2, 3, 3], { out: 4, rng });
    expect(layer.W.shape).toEqual([18, 4]);
    const r = layerGradCheck(layer, randn(rng, 3 * 18), 3, rng);
    expectGradientMatches(r.dx, "dx");
    expectGradientMatches(r.params["W"], "W");
    expectGradientMatches(r.params["b"], "b");
  });

  it("reuses its output buffer while the batch size is unchanged", () => {
    const rng = new Rng(3);
    const layer = new Affine([4], { out: 2, rng });
    const x = randn(rng, 8 * 4);
    const a = layer.forward(x, 8, true);
    expect(layer.forward(x, 8, true)).toBe(a);
    expect(layer.forward(x, 3, true).length).toBe(6);
  });

  it("marks W for L2 decay and b not", () => {
    const layer = new Affine([3], { out: 2 });
    expect(layer.params().map((p) => [p.name, p.decay])).toEqual([["W", true], ["b", false]]);
  });

  it("rejects an input shorter than batch × in", () => {
    expect(() => new Affine([3], { out: 2 }).forward(new Float32Array(5), 2, true)).toThrow(/expected 2×3/);
  });
});
