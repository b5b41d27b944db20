import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, maxRelDiff, randomArray } from "../test-kit.ts";
import { cacheUpdate, l2Grad, momentumUpdate, sgdUpdate } from "./updates.ts";
import { cacheUpdateRef, l2GradRef, momentumUpdateRef, sgdUpdateRef } from "./updates-ref.ts";

const SIZES = [1, 3, 4, 5, 17, 100, 257];
// Float32 kernels against float64 twins over three steps: a few ulps.
const TOL = 1e-6;

/** Copies of the inputs for one side (arena or plain), in order. */
const on = (side: KernelSide, ...arrays: Float32Array[]): Float32Array[] => arrays.map((a) => copyOf(a, side.arena));

describe("update kernels (WebAssembly) against their TypeScript twins, and the fallback against the kernels", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    it(`sgdUpdate, ${where}`, () => {
      const rng = new Rng(1);
      for (const n of SIZES) {
        const w0 = randomArray(rng, n, false), g0 = randomArray(rng, n, false);
        const run = (side: KernelSide) => {
          const [w, g] = on(side, w0, g0);
          for (let t = 0; t < 3; t++) (side.twin ? sgdUpdateRef : sgdUpdate)(w, g, n, 0.1);
          return w;
        };
        expect(maxRelDiff(run(subject), run(reference))).toBeLessThan(TOL);
      }
    });

    for (const nesterov of [false, true]) {
      it(`momentumUpdate (nesterov=${nesterov}), ${where}`, () => {
        const rng = new Rng(2);
        for (const n of SIZES) {
          const w0 = randomArray(rng, n, false), g0 = randomArray(rng, n, false), v0 = randomArray(rng, n, false);
          const run = (side: KernelSide) => {
            const [w, g, v] = on(side, w0, g0, v0);
            for (let t = 0; t < 3; t++) (side.twin ? momentumUpdateRef : momentumUpdate)(w, g, v, n, 0.05, 0.9, nesterov);
            return { w: w, v: v };
          };
          const s = run(subject), r = run(reference);
          expect(maxRelDiff(s.w, r.w)).toBeLessThan(TOL);
          expect(maxRelDiff(s.v, r.v)).toBeLessThan(TOL);
        }
      });
    }

    it(`l2Grad (g += l2·w, returns Σw² in float64), ${where}`, () => {
      const rng = new Rng(4);
      for (const n of [...SIZES, 200_003]) {
        const w0 = randomArray(rng, n, false), g0 = randomArray(rng, n, false);
        const run = (side: KernelSide) => {
          const [w, g] = on(side, w0, g0);
          return { sq: (side.twin ? l2GradRef : l2Grad)(w, g, n, 1e-3), g: g };
        };
        const s = run(subject), r = run(reference);
        expect(Math.abs(s.sq - r.sq)).toBeLessThan(1e-12 * r.sq + 1e-12);
        expect(maxRelDiff(s.g, r.g)).toBeLessThan(TOL);
      }
    });

    for (const [name, decay, gain] of [["AdaGrad", 1, 1], ["RMSProp", 0.99, 0.01]] as const) {
      it(`cacheUpdate as ${name}, ${where}`, () => {
        const rng = new Rng(3);
        for (const n of SIZES) {
          const w0 = randomArray(rng, n, false), g0 = randomArray(rng, n, false), c0 = randomArray(rng, n, false);
          for (let i = 0; i < n; i++) c0[i] = Math.abs(c0[i]!);
          const run = (side: KernelSide) => {
            const [w, g, c] = on(side, w0, g0, c0);
            for (let t = 0; t < 3; t++) (side.twin ? cacheUpdateRef : cacheUpdate)(w, g, c, n, 0.01, decay, gain, 1e-8);
            return { w: w, c: c };
          };
          const s = run(subject), r = run(reference);
          expect(maxRelDiff(s.w, r.w)).toBeLessThan(TOL);
          expect(maxRelDiff(s.c, r.c)).toBeLessThan(TOL);
        }
      });
    }
  }
});
