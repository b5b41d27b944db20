import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { maxRelDiff, randomArray } from "../test-kit.ts";
import { cacheUpdate, l2Grad, momentumUpdate, sgdUpdate } from "./updates.ts";
import { cacheUpdateRef, l2GradRef, momentumUpdateRef, sgdUpdateRef } from "./updates-ref.ts";

const SIZES = [1, 3, 4, 5, 17, 100, 257];
// Float32 kernels against float64 twins over three steps: a few ulps.
const TOL = 1e-6;

describe("update kernels (WebAssembly) against their TypeScript twins", () => {
  for (const arena of [true, false]) {
    const where = arena ? "arena views" : "plain arrays (fallback)";

    it(`sgdUpdate, ${where}`, () => {
      const rng = new Rng(1);
      for (const n of SIZES) {
        const w = randomArray(rng, n, arena), g = randomArray(rng, n, arena), w0 = Float32Array.from(w);
        for (let t = 0; t < 3; t++) {
          sgdUpdate(w, g, n, 0.1);
          sgdUpdateRef(w0, g, n, 0.1);
        }
        expect(maxRelDiff(w, w0)).toBeLessThan(TOL);
      }
    });

    for (const nesterov of [false, true]) {
      it(`momentumUpdate (nesterov=${nesterov}), ${where}`, () => {
        const rng = new Rng(2);
        for (const n of SIZES) {
          const w = randomArray(rng, n, arena), g = randomArray(rng, n, arena), v = randomArray(rng, n, arena);
          const w0 = Float32Array.from(w), v0 = Float32Array.from(v);
          for (let t = 0; t < 3; t++) {
            momentumUpdate(w, g, v, n, 0.05, 0.9, nesterov);
            momentumUpdateRef(w0, g, v0, n, 0.05, 0.9, nesterov);
          }
          expect(maxRelDiff(w, w0)).toBeLessThan(TOL);
          expect(maxRelDiff(v, v0)).toBeLessThan(TOL);
        }
      });
    }

    it(`l2Grad (g += l2·w, returns Σw² in float64), ${where}`, () => {
      const rng = new Rng(4);
      for (const n of [...SIZES, 200_003]) {
        const w = randomArray(rng, n, arena), g = randomArray(rng, n, arena), g0 = Float32Array.from(g);
        const sq = l2Grad(w, g, n, 1e-3), sq0 = l2GradRef(w, g0, n, 1e-3);
        expect(Math.abs(sq - sq0)).toBeLessThan(1e-12 * sq0 + 1e-12);
        expect(maxRelDiff(g, g0)).toBeLessThan(TOL);
      }
    });

    for (const [name, decay, gain] of [["AdaGrad", 1, 1], ["RMSProp", 0.99, 0.01]] as const) {
      it(`cacheUpdate as ${name}, ${where}`, () => {
        const rng = new Rng(3);
        for (const n of SIZES) {
          const w = randomArray(rng, n, arena), g = randomArray(rng, n, arena), c = randomArray(rng, n, arena);
          for (let i = 0; i < n; i++) c[i] = Math.abs(c[i]!);
          const w0 = Float32Array.from(w), c0 = Float32Array.from(c);
          for (let t = 0; t < 3; t++) {
            cacheUpdate(w, g, c, n, 0.01, decay, gain, 1e-8);
            cacheUpdateRef(w0, g, c0, n, 0.01, decay, gain, 1e-8);
          }
          expect(maxRelDiff(w, w0)).toBeLessThan(TOL);
          expect(maxRelDiff(c, c0)).toBeLessThan(TOL);
        }
      });
    }
  }
});
