import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { actBackwardColSum, biasAct } from "./fused.ts";
import { gemmActBackward, gemmBiasAct, sgemm } from "./gemm.ts";
import { gemmActBackwardRef, gemmBiasActRef, sgemmRef } from "./gemm-ref.ts";
import { randomArray, maxRelDiff } from "../test-kit.ts";
import { KC, MC, MR, NC, NR } from "./wat-source.ts";

// Float32 sums of K products of values in [-1, 1): the kernel and the twin add in different orders
// and the twin rounds after every term, so they may differ by up to ~K/2 ulps (ε/2 = 6e-8 each).
const tol = (K: number) => 1e-6 + K * 6e-8;

function compare(rng: Rng, ta: boolean, tb: boolean, M: number, N: number, K: number, beta: 0 | 1, arena = true, pad = 0): number {
  const A = randomArray(rng, M * K + 2 * pad, arena), B = randomArray(rng, K * N + 2 * pad, arena);
  const C = randomArray(rng, M * N + 2 * pad, arena), C0 = Float32Array.from(C);
  sgemm(ta, tb, M, N, K, A, pad, B, pad, C, pad, beta);
  sgemmRef(ta, tb, M, N, K, A, pad, B, pad, C0, pad, beta);
  // Elements outside [pad, pad + M·N) must be untouched.
  for (let i = 0; i < pad; i++) expect(C[i]).toBe(C0[i]);
  for (let i = pad + M * N; i < C.length; i++) expect(C[i]).toBe(C0[i]);
  return maxRelDiff(C, C0);
}

describe("sgemm (WebAssembly) against sgemmRef", () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 7, 1], [7, 1, 5], [MR, NR, 1], [MR + 1, NR + 1, 3], [MR - 1, NR - 1, 2],
    [13, 29, 31], [64, 10, 128], [300, 3, 100], [2, 100, 300], [MC + 3, 17, KC + 5], [9, NC + 11, 20],
    // N ≤ 4 takes the narrow 4×4 tile; K % 4 ≠ 0 and N % 4 ≠ 0 exercise the transposed-B packing tails.
    [9, 4, 33], [13, 2, 7], [5, 1, 300], [6, 13, 7], [11, 12, 4],
    // K ≤ 4 with N ≥ 8 takes the rank-K kernel (N % 4 ≠ 0 exercises its scalar tail).
    [300, 100, 2], [7, 33, 3], [5, 8, 4], [3, 9, 1],
    // N ≤ 4 with K ≥ 8 takes the small-N kernels (odd M, M % 4 ≠ 0, K % 4 ≠ 0).
    [2, 3, 8], [1, 4, 9], [6, 2, 64], [13, 1, 11], [100, 3, 300],
    // M ≤ 4 with K ≥ 8 computes Cᵀ with the small-N kernels.
    [3, 17, 9], [1, 50, 64], [4, 9, 30], [2, 100, 300],
  ];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      it(`matches on edge shapes, transA=${ta} transB=${tb}, beta 0 and 1`, () => {
        const rng = new Rng(1000 + Number(ta) * 2 + Number(tb));
        for (const [M, N, K] of shapes) {
          for (const beta of [0, 1] as const) expect(compare(rng, ta, tb, M, N, K, beta), `${M}x${N}x${K} beta=${beta}`).toBeLessThan(tol(K));
        }
      });
    }
  }

  it("matches on random shapes with offsets", () => {
    const rng = new Rng(7);
    for (let t = 0; t < 40; t++) {
      const M = 1 + rng.int(70), N = 1 + rng.int(70), K = 1 + rng.int(300);
      const ta = rng.uniform() < 0.5, tb = rng.uniform() < 0.5, beta = rng.int(2) as 0 | 1;
      expect(compare(rng, ta, tb, M, N, K, beta, true, 1 + rng.int(9))).toBeLessThan(tol(K));
    }
  });

  it("matches on a layer-sized product (128×256×784)", () => {
    const rng = new Rng(8);
    expect(compare(rng, false, false, 128, 256, 784, 0)).toBeLessThan(tol(784));
    expect(compare(rng, true, false, 784, 256, 128, 0)).toBeLessThan(tol(128));
  });

  it("stages buffers that are not arena views (copying fallback) with the same results", () => {
    const rng = new Rng(9);
    for (const ta of [false, true]) {
      for (const tb of [false, true]) expect(compare(rng, ta, tb, 37, 45, 70, 1, false, 3)).toBeLessThan(tol(70));
    }
  });

  it("K = 0 gives beta·C, and an out-of-range operand throws instead of reading other buffers", () => {
    const rng = new Rng(10);
    const A = randomArray(rng, 4, true), B = randomArray(rng, 4, true), C = randomArray(rng, 6, true);
    const C0 = Float32Array.from(C);
    sgemm(false, false, 2, 3, 0, A, 0, B, 0, C, 0, 1);
    expect(C).toEqual(C0);
    sgemm(false, false, 2, 3, 0, A, 0, B, 0, C, 0, 0);
    expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => sgemm(false, false, 2, 3, 4, A, 0, B, 0, C, 0, 0)).toThrow(RangeError);
  });
});

describe("gemmBiasAct (WebAssembly) against its twin", () => {
  // K ≤ 4 with N ≥ 8 (the fused rank-K path, N % 4 ≠ 0 for its scalar tail) and other shapes.
  const shapes: [number, number, number][] = [[300, 100, 2], [7, 33, 3], [5, 8, 4], [3, 9, 1], [13, 29, 31], [300, 3, 100], [4, 4, 2], [6, 10, 0]];
  for (const arena of [true, false]) {
    it(`equals sgemm + biasAct bit for bit and the twin within rounding, ${arena ? "arena views" : "plain arrays"}`, () => {
      const rng = new Rng(77);
      for (const [M, N, K] of shapes) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            for (const act of [0, 1, 2] as const) {
              const A = randomArray(rng, M * K + 1, arena), B = randomArray(rng, K * N + 1, arena);
              const bias = randomArray(rng, N + 1, arena), C = randomArray(rng, M * N + 2, arena);
              const C1 = Float32Array.from(C), C2 = Float32Array.from(C);
              gemmBiasAct({ transA: ta, transB: tb, M, N, K, A, aOff: 1, B, bOff: 1, C, cOff: 1, bias, biasOff: 1, act, slope: 0.1 });
              const C1a = arena ? randomArray(rng, M * N + 2, true) : C1;
              C1a.set(C1);
              sgemm(ta, tb, M, N, K, A, 1, B, 1, C1a, 1, 0);
              biasAct(C1a, 1, M, N, bias, 1, act, 0.1);
              expect(Array.from(C)).toEqual(Array.from(C1a));
              gemmBiasActRef({ transA: ta, transB: tb, M, N, K, A, aOff: 1, B, bOff: 1, C: C2, cOff: 1, bias, biasOff: 1, act, slope: 0.1 });
              expect(maxRelDiff(C, C2)).toBeLessThan(tol(K));
            }
          }
        }
      }
    });
  }
});

describe("gemmActBackward (WebAssembly) against its twin", () => {
  const shapes: [number, number, number][] = [[300, 100, 3], [7, 33, 3], [5, 8, 4], [3, 9, 1], [13, 29, 31], [300, 3, 100], [4, 4, 2], [6, 10, 0]];
  for (const arena of [true, false]) {
    it(`equals sgemm + actBackwardColSum bit for bit and the twin within rounding, ${arena ? "arena views" : "plain arrays"}`, () => {
      const rng = new Rng(78);
      for (const [M, N, K] of shapes) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            for (const act of [0, 1, 2] as const) {
              const A = randomArray(rng, M * K + 1, arena), B = randomArray(rng, K * N + 1, arena);
              const Y = randomArray(rng, M * N + 1, arena), C = randomArray(rng, M * N + 2, arena);
              if (M * N > 3) Y[3] = 0;
              const sums = randomArray(rng, N + 1, arena);
              const C1 = randomArray(rng, M * N + 2, arena), sums1 = randomArray(rng, N + 1, arena);
              C1.set(C);
              const C2 = Float32Array.from(C), sums2 = Float32Array.from(sums);
              gemmActBackward({ transA: ta, transB: tb, M, N, K, A, aOff: 1, B, bOff: 1, C, cOff: 1, Y, yOff: 1, act, slope: 0.1, sums, sOff: 1 });
              sgemm(ta, tb, M, N, K, A, 1, B, 1, C1, 1, 0);
              actBackwardColSum(C1, 1, Y, 1, C1, 1, M, N, act, 0.1, sums1, 1);
              expect(Array.from(C)).toEqual(Array.from(C1));
              expect(Array.from(sums.subarray(1))).toEqual(Array.from(sums1.subarray(1)));
              gemmActBackwardRef({ transA: ta, transB: tb, M, N, K, A, aOff: 1, B, bOff: 1, C: C2, cOff: 1, Y, yOff: 1, act, slope: 0.1, sums: sums2, sOff: 1 });
              expect(maxRelDiff(C, C2)).toBeLessThan(tol(K));
              expect(maxRelDiff(sums.subarray(1), sums2.subarray(1))).toBeLessThan(1e-4);
            }
          }
        }
      }
    });
  }
});
