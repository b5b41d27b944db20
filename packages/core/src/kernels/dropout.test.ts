import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, randomArray } from "../test-kit.ts";
import { dropoutBackward, dropoutForward } from "./dropout.ts";
import { dropoutBackwardRef, dropoutForwardRef } from "./dropout-ref.ts";

describe("dropout kernels (WebAssembly) against their TypeScript twins, and the fallback against the kernels", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    it(`the same mask bits, output and gradient, ${where}`, () => {
      const rng = new Rng(5);
      // keep 0.5: an integer threshold (2³¹); 0.7: a fractional one; 1 − 1e-9: a bound near 2³² − 1.
      for (const keep of [0.5, 0.7, 0.1, 1 - 1e-9]) {
        for (const n of [1, 3, 4, 5, 17, 1000, 4099]) {
          // Seeds across the whole 32-bit range, 0 and 2³² − 1 included (the stream wraps mod 2³²).
          for (const seed of [0, 0xffffffff, Math.floor(rng.uniform() * 4294967296) >>> 0]) {
            const x0 = randomArray(rng, n, false), d0 = randomArray(rng, n, false);
            x0[0] = -0;
            if (n > 2) x0[2] = NaN;
            const run = (side: KernelSide) => {
              const [x, y, mask, dout, dx] = [x0, x0, x0, d0, d0].map((a) => copyOf(a, side.arena)) as Float32Array[];
              (side.twin ? dropoutForwardRef : dropoutForward)(x!, y!, mask!, n, seed, keep);
              (side.twin ? dropoutBackwardRef : dropoutBackward)(dout!, mask!, dx!, n);
              return [y!, mask!, dx!].map((a) => Array.from(a));
            };
            expect(run(subject)).toEqual(run(reference));
          }
        }
      }
    });
  }

  it("keeps a draw just below keep·2³² and drops one equal to it (the bound, in the vector lanes and the tail)", () => {
    const seed = 987654321, n = 7;
    // mulberry32's draws for this seed, as dropout-ref.ts defines the stream.
    const draws = Array.from({ length: n }, (_, i) => {
      let t = (seed + (i + 1) * 0x6d2b79f5) >>> 0;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    });
    for (let j = 0; j < n; j++) {
      for (const [keep, kept] of [[(draws[j]! + 0.5) / 4294967296, true], [draws[j]! / 4294967296, false]] as const) {
        const out = [false, true].map((twin) => {
          const [x, y, mask] = [1, 2, 3].map(() => copyOf(new Float32Array(n).fill(1), true));
          (twin ? dropoutForwardRef : dropoutForward)(x!, y!, mask!, n, seed, keep);
          return Array.from(mask!);
        });
        expect(out[0]![j]! !== 0, `element ${j}, keep ${kept ? "above" : "at"} its draw`).toBe(kept);
        expect(out[0]).toEqual(out[1]);
      }
    }
  });

  it("drops about 1 − keep of the elements and scales the rest by 1/keep", () => {
    const n = 100_000;
    const x = copyOf(new Float32Array(n).fill(1), true), y = copyOf(new Float32Array(n), true), mask = copyOf(new Float32Array(n), true);
    dropoutForward(x, y, mask, n, 12345, 0.8);
    const kept = y.filter((v) => v !== 0);
    expect(kept.length / n).toBeCloseTo(0.8, 2);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.8)]));
  });
});
