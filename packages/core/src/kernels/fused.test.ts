import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import {
  actBackward, actBackwardColSum, actForward, adamUpdate, biasAct, channelsToSamples, col2im, colSum, im2col, maxPoolBackward,
  maxPoolForward, samplesToChannels,
} from "./fused.ts";
import {
  actBackwardColSumRef, actBackwardRef, actForwardRef, adamUpdateRef, biasActRef, channelsToSamplesRef, col2imRef, colSumRef, convGeometry,
  im2colRef, maxPoolBackwardRef, maxPoolForwardRef, samplesToChannelsRef, type Activation,
} from "./fused-ref.ts";
import { allocInt32 } from "./arena.ts";
import { maxRelDiff, randomArray } from "../test-kit.ts";

const ACTS: Activation[] = [0, 1, 2];
const SIZES = [1, 3, 4, 5, 8, 17, 100, 257];

describe("fused kernels (WebAssembly) against their TypeScript twins", () => {
  for (const arena of [true, false]) {
    const where = arena ? "arena views" : "plain arrays (fallback)";

    it(`biasAct, ${where}`, () => {
      const rng = new Rng(1);
      for (const a of ACTS) {
        for (const cols of SIZES) {
          const rows = 1 + rng.int(5), off = rng.int(3);
          const Y = randomArray(rng, rows * cols + off, arena), b = randomArray(rng, cols + 1, arena);
          const Y0 = Float32Array.from(Y);
          biasAct(Y, off, rows, cols, b, 1, a, 0.1);
          biasActRef(Y0, off, rows, cols, b, 1, a, 0.1);
          expect(maxRelDiff(Y, Y0)).toBe(0);
        }
      }
    });

    it(`actForward / actBackward, ${where}`, () => {
      const rng = new Rng(2);
      for (const a of ACTS) {
        for (const n of SIZES) {
          const X = randomArray(rng, n, arena), Y = randomArray(rng, n, arena), Y0 = Float32Array.from(Y);
          actForward(X, 0, Y, 0, n, a, 0.01);
          actForwardRef(X, 0, Y0, 0, n, a, 0.01);
          expect(maxRelDiff(Y, Y0)).toBe(0);
          const dY = randomArray(rng, n + 2, arena), dX = randomArray(rng, n + 1, arena), dX0 = Float32Array.from(dX);
          actBackward(dY, 2, Y, 0, dX, 1, n, a, 0.01);
          actBackwardRef(dY, 2, Y0, 0, dX0, 1, n, a, 0.01);
          expect(maxRelDiff(dX, dX0)).toBe(0);
        }
      }
      // In place (X === Y) and NaN propagation through relu.
      const Z = randomArray(rng, 9, arena);
      Z[4] = NaN;
      const Z0 = Float32Array.from(Z);
      actForward(Z, 0, Z, 0, 9, 1, 0);
      actForwardRef(Z0, 0, Z0, 0, 9, 1, 0);
      expect(Number.isNaN(Z[4])).toBe(true);
      expect(maxRelDiff(Z, Z0)).toBe(0);
    });

    it(`colSum, ${where}`, () => {
      const rng = new Rng(3);
      for (const cols of SIZES) {
        for (const beta of [0, 1] as const) {
          const rows = 1 + rng.int(300);
          const D = randomArray(rng, rows * cols + 3, arena), out = randomArray(rng, cols + 2, arena), out0 = Float32Array.from(out);
          colSum(D, 3, rows, cols, out, 2, beta);
          colSumRef(D, 3, rows, cols, out0, 2, beta);
          expect(maxRelDiff(out, out0)).toBeLessThan(1e-6);
        }
      }
    });

    it(`actBackwardColSum, ${where}`, () => {
      const rng = new Rng(13);
      for (const a of ACTS) {
        for (const cols of SIZES) {
          const rows = 1 + rng.int(40);
          const n = rows * cols;
          const dY = randomArray(rng, n + 2, arena), Y = randomArray(rng, n + 1, arena);
          const dX = randomArray(rng, n + 3, arena), out = randomArray(rng, cols + 1, arena);
          if (n > 4) Y[5] = 0; // relu'(0) = 0
          const dX0 = Float32Array.from(dX), out0 = Float32Array.from(out);
          actBackwardColSum(dY, 2, Y, 1, dX, 3, rows, cols, a, 0.05, out, 1);
          actBackwardColSumRef(dY, 2, Y, 1, dX0, 3, rows, cols, a, 0.05, out0, 1);
          expect(Array.from(dX)).toEqual(Array.from(dX0));
          expect(Array.from(out)).toEqual(Array.from(out0)); // bit-identical: same order of additions
        }
      }
    });

    it(`adamUpdate, ${where}`, () => {
      const rng = new Rng(4);
      for (const n of SIZES) {
        const w = randomArray(rng, n, arena), g = randomArray(rng, n, arena);
        const m = randomArray(rng, n, arena), v = randomArray(rng, n, arena);
        for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]!);
        const [w0, m0, v0] = [w, m, v].map((x) => Float32Array.from(x)) as [Float32Array, Float32Array, Float32Array];
        for (let t = 1; t <= 3; t++) {
          const bc1 = 1 - 0.9 ** t, bc2 = 1 - 0.999 ** t;
          adamUpdate(w, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, 1e-4);
          adamUpdateRef(w0, g, m0, v0, n, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, 1e-4);
        }
        expect(maxRelDiff(w, w0)).toBeLessThan(1e-6);
        expect(maxRelDiff(m, m0)).toBeLessThan(1e-6);
        expect(maxRelDiff(v, v0)).toBeLessThan(1e-6);
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
        const x = randomArray(rng, C * H * W + 1, arena);
        const col = randomArray(rng, rows * ld + 2, arena), col0 = Float32Array.from(col);
        im2col(g, x, 1, col, 2, ld);
        im2colRef(g, x, 1, col0, 2, ld);
        expect(maxRelDiff(col, col0)).toBe(0);
        const dx = randomArray(rng, C * H * W + 3, arena), dx0 = Float32Array.from(dx);
        col2im(g, col, 2, dx, 3, ld);
        col2imRef(g, col0, 2, dx0, 3, ld);
        expect(maxRelDiff(dx, dx0)).toBeLessThan(1e-6);
      }
    });

    it(`channelsToSamples / samplesToChannels (conv layouts + bias), ${where}`, () => {
      const rng = new Rng(7);
      for (const [F, N, PQ] of [[1, 1, 1], [3, 2, 5], [8, 4, 784], [16, 3, 49], [2, 5, 6]] as const) {
        const chan = randomArray(rng, F * N * PQ, arena), bias = randomArray(rng, F, arena);
        const samp = randomArray(rng, F * N * PQ, arena), samp0 = Float32Array.from(samp);
        channelsToSamples(chan, samp, F, N, PQ, bias);
        channelsToSamplesRef(chan, samp0, F, N, PQ, bias);
        expect(maxRelDiff(samp, samp0)).toBe(0);
        const back = randomArray(rng, F * N * PQ, arena), back0 = Float32Array.from(back);
        const db = randomArray(rng, F, arena), db0 = Float32Array.from(db);
        samplesToChannels(samp, back, F, N, PQ, db);
        samplesToChannelsRef(samp0, back0, F, N, PQ, db0);
        expect(maxRelDiff(back, back0)).toBe(0);
        // Sums of N·PQ terms in [-2, 2] in a different order: a few ulps of the running sum.
        expect(maxRelDiff(db, db0)).toBeLessThan(1e-5);
      }
    });

    it(`maxPoolForward / maxPoolBackward (ties, NaN, strides), ${where}`, () => {
      const rng = new Rng(8);
      for (const [planes, H, W, size, stride] of [[1, 2, 2, 2, 2], [3, 28, 28, 2, 2], [2, 7, 9, 3, 2], [4, 5, 5, 1, 1], [2, 6, 6, 3, 3]] as const) {
        const OH = (H - size) / stride + 1, OW = (W - size) / stride + 1;
        const g = { planes, H, W, size, stride, OH: Math.floor(OH), OW: Math.floor(OW) };
        const x = randomArray(rng, planes * H * W, arena);
        for (let i = 0; i < x.length; i += 7) x[i] = x[i + 1] ?? 0; // ties
        if (x.length > 20) x[13] = NaN;
        const nOut = planes * g.OH * g.OW;
        const y = randomArray(rng, nOut, arena), y0 = Float32Array.from(y);
        const arg = arena ? allocInt32(nOut) : new Int32Array(nOut), arg0 = new Int32Array(nOut);
        maxPoolForward(g, x, y, arg);
        maxPoolForwardRef(g, x, y0, arg0);
        expect(maxRelDiff(y, y0)).toBe(0);
        expect(Array.from(arg)).toEqual(Array.from(arg0));
        const dy = randomArray(rng, nOut, arena), dx = randomArray(rng, x.length, arena), dx0 = Float32Array.from(dx);
        maxPoolBackward(g, dy, arg, dx);
        maxPoolBackwardRef(g, dy, arg0, dx0);
        expect(maxRelDiff(dx, dx0)).toBeLessThan(1e-6);
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
