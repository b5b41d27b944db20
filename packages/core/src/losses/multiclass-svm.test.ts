import { describe, expect, it } from "vitest";
import { gradCheck } from "../gradcheck.ts";
import { expectGradientMatches } from "../test-kit.ts";
import { Rng } from "../rng.ts";
import { MulticlassSvm } from "./multiclass-svm.ts";

describe("MulticlassSvm", () => {
  it("sums the hinge margins max(0, s_j − s_y + 1) over j ≠ y, averaged over the batch (CS231n's example)", () => {
    // CS231n's cat/car/frog scores: losses 2.9, 0 and 12.9 (cat, car, frog correct).
    const s = new Float32Array([3.2, 5.1, -1.7, 1.3, 4.9, 2.0, 2.2, 2.5, -3.1]);
    const svm = new MulticlassSvm();
    expect(svm.forward(s, new Int32Array([0, 1, 2]), 3, 3)).toBeCloseTo((2.9 + 0 + 12.9) / 3, 5);
    const g = svm.backward();
    [-1, 1, 0].forEach((want, j) => expect(g[j]! * 3).toBeCloseTo(want, 6));
  });

  it("gives classes − 1 for equal scores", () => {
    expect(new MulticlassSvm().forward(new Float32Array(2 * 10), new Int32Array([1, 2]), 2, 10)).toBeCloseTo(9, 6);
  });

  it("passes a gradient check (margins kept ≥ 0.05 from 0, h = 1e-2)", () => {
    const rng = new Rng(1);
    const batch = 6;
    const C = 5;
    const labels = Int32Array.from({ length: batch }, () => rng.int(C));
    // Scores on a 0.1 grid, true-class scores shifted by 0.05 off it: every margin is ≥ 0.05 from 0.
    const scores = Float32Array.from({ length: batch * C }, () => (rng.int(30) - 15) * 0.1);
    for (let i = 0; i < batch; i++) scores[i * C + labels[i]!] += 0.05;
    const svm = new MulticlassSvm();
    svm.forward(scores, labels, batch, C);
    const analytic = Float64Array.from(svm.backward());
    const r = gradCheck(() => svm.forward(scores, labels, batch, C), scores, analytic, { h: 1e-2 });
    expectGradientMatches(r, "d(loss)/d(scores)");
  });
});
