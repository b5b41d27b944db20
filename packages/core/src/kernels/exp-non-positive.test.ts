import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { expNonPositive } from "./exp-non-positive.ts";

describe("expNonPositive", () => {
  it("gives Math.exp's bits for x ≤ 0 at every scale", () => {
    const rng = new Rng(7);
    const mismatches: number[] = [];
    const check = (x: number) => {
      if (!Object.is(expNonPositive(x), Math.exp(x))) mismatches.push(x);
    };
    for (let i = 0; i < 200_000; i++) {
      check(-rng.uniform() * 2); // k = 0 and k = −1 branches
      check(-rng.uniform() * 40); // the softmax range
      check(-rng.uniform() * 760); // down to underflow, through the subnormal results
      check(-Math.fround(rng.uniform() * 20)); // float32 score differences
      check(-(2 ** (-60 * rng.uniform()))); // tiny |x|
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it("handles the edges: 0, −0, −∞, NaN, branch thresholds, underflow", () => {
    const edges = [0, -0, -Infinity, NaN, -1e-300, -(2 ** -28), -0.34657359027997264, -0.3465735902799726,
      -1.0397207708399179, -1.03972077083991, -708.4, -708.5, -744.4, -745.13, -745.1332191019411, -745.14, -1e6];
    for (const x of edges) expect(Object.is(expNonPositive(x), Math.exp(x)), `x = ${x}`).toBe(true);
  });
});
