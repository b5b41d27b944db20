import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, maxRelDiff, randomArray } from "../test-kit.ts";
import {
  actBackward, actBackwardColSum, actForward, adamUpdate, biasAct, col2im, colSum, im2col, maxPoolBackward,
  maxPoolForward,
} from "./fused.ts";
import {
  actBackwardColSumRef, actBackwardRef, actForwardRef, adamUpdateRef, biasActRef, col2imRef, colSumRef, convGeometry,
  im2colRef, maxPoolBackwardRef, maxPoolForwardRef, type Activation,
} from "./fused-ref.ts";

const ACTS: Activation[] = [0, 1, 2];
const SIZES = [1, 3, 4, 5, 8, 17, 100, 257];

/** Copies of the inputs for one side (arena or plain), in order. */
const on = <T extends (Float32Array | Int32Array)[]>(side: KernelSide, ...arrays: T): T => arrays.map((a) => copyOf(a, side.arena)) as T;

describe("fused kernels (WebAssembly) against their TypeScript twins, and the fallback against the kernels", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    it(`biasAct, ${where}`, () => {
      const rng = new Rng(1);
      for (const a of ACTS) {
        for (const cols of SIZES) {
          const rows = 1 + rng.int(5), off = rng.int(3);
          const Y0 = randomArray(rng, rows * cols + off, false), b0 = randomArray(rng, cols + 1, false);
          const run = (side: KernelSide) => {
            const [Y, b] = on(side, Y0, b0);
            (side.twin ? biasActRef : biasAct)(Y, off, rows, cols, b, 1, a, 0.1);
            return Y;
          };
          expect(maxRelDiff(run(subject), run(reference))).toBe(0);
        }
      }
    });

    it(`actForward / actBackward, ${where}`, () => {
      const rng = new Rng(2);
      for (const a of ACTS) {
        for (const n of SIZES) {
          const X0 = randomArray(rng, n, false), Yin = randomArray(rng, n, false);
          const dY0 = randomArray(rng, n + 2, false), dXin = randomArray(rng, n + 1, false);
          const run = (side: KernelSide) => {
            const [X, Y, dY, dX] = on(side, X0, Yin, dY0, dXin);
            (side.twin ? actForwardRef : actForward)(X, 0, Y, 0, n, a, 0.01);
            (side.twin ? actBackwardRef : actBackward)(dY, 2, Y, 0, dX, 1, n, a, 0.01);
            return { Y, dX };
          };
          const s = run(subject), r = run(reference);
          expect(maxRelDiff(s.Y, r.Y)).toBe(0);
          expect(maxRelDiff(s.dX, r.dX)).toBe(0);
        }
      }
      // In place (X === Y) and NaN propagation through relu.
      const Z0 = randomArray(rng, 9, false);
      Z0[4] = NaN;
      const inPlace = (side: KernelSide) => {
        const [Z] = on(side, Z0);
        (side.twin ? actForwardRef : actForward)(Z, 0, Z, 0, 9, 1, 0);
        return Z;
      };
      const s = inPlace(subject);
      expect(Number.isNaN(s[4])).toBe(true);
      expect(maxRelDiff(s, inPlace(reference))).toBe(0);
    });

    it(`colSum, ${where}`, () => {
      const rng = new Rng(3);
      for (const cols of SIZES) {
        for (const beta of [0, 1] as const) {
          const rows = 1 + rng.int(300);
          const D0 = randomArray(rng, rows * cols + 3, false), out0 = randomArray(rng, cols + 2, false);
          const run = (side: KernelSide) => {
            const [D, out] = on(side, D0, out0);
            (side.twin ? colSumRef : colSum)(D, 3, rows, cols, out, 2, beta);
            return out;
          };
          expect(maxRelDiff(run(subject), run(reference))).toBeLessThan(1e-6);
        }
      }
    });

    it(`actBackwardColSum, ${where}`, () => {
      const rng = new Rng(13);
      for (const a of ACTS) {
        for (const cols of SIZES) {
          const rows = 1 + rng.int(40);
          const n = rows * cols;
          const dY0 = randomArray(rng, n + 2, false), Y0 = randomArray(rng, n + 1, false);
          const dX0 = randomArray(rng, n + 3, false), out0 = randomArray(rng, cols + 1, false);
          if (n > 4) Y0[5] = 0; // relu'(0) = 0
          const run = (side: KernelSide) => {
            const [dY, Y, dX, out] = on(side, dY0, Y0, dX0, out0);
            (side.twin ? actBackwardColSumRef : actBackwardColSum)(dY, 2, Y, 1, dX, 3, rows, cols, a, 0.05, out, 1);
            return { dX: Array.from(dX), out: Array.from(out) };
          };
          expect(run(subject)).toEqual(run(reference)); // bit-identical: same order of additions
        }
      }
    });

    it(`adamUpdate, ${where}`, () => {
      const rng = new Rng(4);
      for (const n of SIZES) {
        const w0 = randomArray(rng, n, false), g0 = randomArray(rng, n, false);
        const m0 = randomArray(rng, n, false), v0 = randomArray(rng, n, false);
        for (let i = 0; i < n; i++) v0[i] = Math.abs(v0[i]!);
        const run = (side: KernelSide) => {
          const [w, g, m, v] = on(side, w0, g0, m0, v0);
          for (let t = 1; t <= 3; t++) {
            const bc1 = 1 - 0.9 ** t, bc2 = 1 - 0.999 ** t;
            (side.twin ? adamUpdateRef : adamUpdate)(w, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, 1e-4);
          }
          return { w, m, v };
        };
        const s = run(subject), r = run(reference);
        expect(maxRelDiff(s.w, r.w)).toBeLessThan(1e-6);
        expect(maxRelDiff(s.m, r.m)).toBeLessThan(1e-6);
        expect(maxRelDiff(s.v, r.v)).toBeLessThan(1e-6);
      }
    });

    it(`im2col / col2im (stride, zero padding, side-by-side ld), ${where}`, () => {
      const rng = new Rng(5);
      const cases = [
        [1, 5, 5, 3, 3, 1, 1], [3, 7, 7, 3, 3, 2, 1], [2, 8, 8, 5, 5, 1, 2], [4, 4, 4, 1, 1, 1, 0],
        [2, 9, 8, 3, 2, 3, 0], [1, 3, 3, 3, 3, 1, 2], [8, 28, 28, 3, 3, 1, 1],
      ] as const;
      for (const [C, H, W, KH, KW, S, P] of cases) {
        const g = convGeometry(C, H, W, KH, KW, S, P);
        const q = g.OH * g.OW, rows = C * KH * KW, ld = q + rng.int(4);
        const x0 = randomArray(rng, C * H * W + 1, false);
        const col0 = randomArray(rng, rows * ld + 2, false), dx0 = randomArray(rng, C * H * W + 3, false);
        const run = (side: KernelSide) => {
          const [x, col, dx] = on(side, x0, col0, dx0);
          (side.twin ? im2colRef : im2col)(g, x, 1, col, 2, ld);
          const colOut = Float32Array.from(col);
          (side.twin ? col2imRef : col2im)(g, col, 2, dx, 3, ld);
          return { col: colOut, dx };
        };
        const s = run(subject), r = run(reference);
        expect(maxRelDiff(s.col, r.col)).toBe(0);
        expect(maxRelDiff(s.dx, r.dx)).toBeLessThan(1e-6);
      }
    });

    it(`maxPoolForward / maxPoolBackward (ties, NaN, strides), ${where}`, () => {
      const rng = new Rng(8);
      for (const [planes, H, W, size, stride] of [[1, 2, 2, 2, 2], [3, 28, 28, 2, 2], [2, 7, 9, 3, 2], [4, 5, 5, 1, 1], [2, 6, 6, 3, 3]] as const) {
        const OH = (H - size) / stride + 1, OW = (W - size) / stride + 1;
        const g = { planes, H, W, size, stride, OH: Math.floor(OH), OW: Math.floor(OW) };
        const x0 = randomArray(rng, planes * H * W, false);
        for (let i = 0; i < x0.length; i += 7) x0[i] = x0[i + 1] ?? 0; // ties
        if (x0.length > 20) x0[13] = NaN;
        const nOut = planes * g.OH * g.OW;
        const y0 = randomArray(rng, nOut, false), dy0 = randomArray(rng, nOut, false), dx0 = randomArray(rng, x0.length, false);
        const run = (side: KernelSide) => {
          const [x, y, dy, dx] = on(side, x0, y0, dy0, dx0);
          const [arg] = on(side, new Int32Array(nOut));
          (side.twin ? maxPoolForwardRef : maxPoolForward)(g, x, y, arg);
          (side.twin ? maxPoolBackwardRef : maxPoolBackward)(g, dy, arg, dx);
          return { y, arg: Array.from(arg), dx };
        };
        const s = run(subject), r = run(reference);
        expect(maxRelDiff(s.y, r.y)).toBe(0);
        expect(s.arg).toEqual(r.arg);
        expect(maxRelDiff(s.dx, r.dx)).toBeLessThan(1e-6);
      }
    });
  }

  it("col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>", () => {
    const rng = new Rng(6);
    const g = convGeometry(3, 9, 9, 3, 3, 2, 1);
    const n = g.C * g.H * g.W, m = g.C * g.KH * g.KW * g.OH * g.OW;
    const x = randomArray(rng, n, true), c = randomArray(rng, m, true);
    const col = randomArray(rng, m, true), back = randomArray(rng, n, true);
    im2col(g, x, 0, col, 0, g.OH * g.OW);
    col2im(g, c, 0, back, 0, g.OH * g.OW);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < m; i++) lhs += col[i]! * c[i]!;
    for (let i = 0; i < n; i++) rhs += x[i]! * back[i]!;
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
  });

  it("convGeometry rejects non-integer output sizes", () => {
    expect(() => convGeometry(1, 14, 14, 5, 5, 2, 0)).toThrow(/OH = 5.5/);
    expect(convGeometry(1, 28, 28, 3, 3, 1, 1)).toMatchObject({ OH: 28, OW: 28 });
  });
});
