import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import { Rng } from "../rng.ts";
import { Maxout } from "./maxout.ts";
import { arena, distinct, expectGradientMatches } from "../test-kit.ts";

describe("Maxout", () => {
  it("takes the max over groups of k consecutive features", () => {
    const layer = new Maxout([6], 3);
    expect(layer.outShape).toEqual([2]);
    const y = layer.forward(arena([1, 5, 2, -1, -3, -2, 0, 0, 9, 4, 4, 4]), 2, true);
    expect(Array.from(y)).toEqual([5, -1, 9, 4]);
    const dx = layer.backward(arena([10, 20, 30, 40]));
    // Ties go to the first piece.
    expect(Array.from(dx)).toEqual([0, 10, 0, 20, 0, 0, 0, 0, 30, 40, 0, 0]);
  });

  it("groups k consecutive channels of an image: [k·C, H, W] → [C, H, W]", () => {
    const layer = new Maxout([4, 1, 2], 2);
    expect(layer.outShape).toEqual([2, 1, 2]);
    // channels (c0, c1) → unit 0, (c2, c3) → unit 1; each channel is 2 pixels.
    const y = layer.forward(arena([1, 8, 3, 2, 0, -1, -5, 7]), 1, true);
    expect(Array.from(y)).toEqual([3, 8, 0, 7]);
  });

  it("passes a gradient check (distinct inputs 0.1 apart, h = 1e-2)", () => {
    const rng = new Rng(3);
    for (const shape of [[12], [6, 2, 2]]) {
      const layer = new Maxout(shape, 3);
      const r = layerGradCheck(layer, distinct(rng, 3 * 24), 3, rng);
      expectGradientMatches(r.dx, `dx of ${JSON.stringify(shape)}`);
    }
  });

  it("rejects a width that is not a multiple of k", () => {
    expect(() => new Maxout([5], 2)).toThrow(/multiple of pieces/);
  });
});
