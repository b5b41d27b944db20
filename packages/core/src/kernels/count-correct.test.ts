import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf } from "../test-kit.ts";
import { countCorrect } from "./count-correct.ts";
import { countCorrectRef } from "./count-correct-ref.ts";

describe("countCorrect (WebAssembly) against its TypeScript twin, and the fallback against the kernel", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    it(`counts the same rows (ties: the first maximum; NaN never wins), ${where}`, () => {
      const rng = new Rng(11);
      for (const classes of [1, 2, 3, 10]) {
        for (const batch of [1, 7, 64]) {
          // Scores on a coarse grid (many ties), a few NaNs; labels include every class.
          const s0 = Float32Array.from({ length: batch * classes }, () => (rng.uniform() < 0.05 ? NaN : rng.int(3)));
          const y0 = Int32Array.from({ length: batch }, () => rng.int(classes));
          const run = (side: KernelSide) => (side.twin ? countCorrectRef : countCorrect)(copyOf(s0, side.arena), copyOf(y0, side.arena), batch, classes);
          const got = run(subject);
          expect(got).toBe(run(reference));
          if (classes === 1) expect(got).toBe(batch);
        }
      }
    });
  }

  it("takes the first of tied maxima", () => {
    const s = copyOf(new Float32Array([1, 3, 3, 0, 0, 0]), true);
    expect(countCorrect(s, copyOf(new Int32Array([1, 0]), true), 2, 3)).toBe(2);
    expect(countCorrect(s, copyOf(new Int32Array([2, 1]), true), 2, 3)).toBe(0);
  });
});
