import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import { Rng } from "../rng.ts";
import { MaxPool } from "./max-pool.ts";
import { arena, distinct, expectGradientMatches } from "../test-kit.ts";

describe("MaxPool", () => {
  it("takes the max of each window, routing the gradient to the first maximum", () => {
    const pool = new MaxPool([1, 4, 4], { size: 2, stride: 2 });
    expect(pool.outShape).toEqual([1, 2, 2]);
    // prettier-ignore
    const x = arena([
      1, 3, 2, 2,
      0, 3, 2, 2,
      -1, -2, 5, 6,
      -3, -4, 7, 0,
    ]);
    expect(Array.from(pool.forward(x, 1, true))).toEqual([3, 2, -1, 7]);
    const dx = pool.backward(arena([1, 2, 3, 4]));
    expect(Array.from(dx)).toEqual([0, 1, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 4, 0]);
  });

  it.each([
    [[2, 4, 6], 2, 2],
    [[3, 7, 7], 3, 2],
    [[1, 5, 5], 1, 1],
  ])("passes a gradient check on %o with size %i, stride %i (distinct inputs 0.1 apart)", (shape, size, stride) => {
    const rng = new Rng(1);
    const pool = new MaxPool(shape, { size, stride });
    const n = shape.reduce((a, b) => a * b, 1);
    const r = layerGradCheck(pool, distinct(rng, 2 * n), 2, rng);
    expectGradientMatches(r.dx, "dx");
  });

  it("adds up the gradients of overlapping windows", () => {
    const pool = new MaxPool([1, 1, 3], { size: 1, stride: 1 });
    expect(pool.outShape).toEqual([1, 1, 3]);
    const p2 = new MaxPool([1, 3, 3], { size: 2, stride: 1 });
    const x = arena([0, 0, 0, 0, 9, 0, 0, 0, 0]);
    expect(Array.from(p2.forward(x, 1, true))).toEqual([9, 9, 9, 9]);
    expect(p2.backward(arena([1, 1, 1, 1]))[4]).toBe(4);
  });

  it("rejects windows that do not tile the input, naming the layer", () => {
    expect(() => new MaxPool([1, 5, 5], { size: 2, stride: 2, name: "2" })).toThrow("max_pool 2: (5 + 2·0 − 2)/2 + 1 = 2.5 is not an integer");
  });
});
