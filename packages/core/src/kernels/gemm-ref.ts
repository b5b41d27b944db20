import { type Activation, actBackwardColSumRef, biasActRef } from "./fused-ref.ts";

/**
 * Plain-TypeScript reference GEMM: the twin the WebAssembly kernel is tested against.
 *
 * C[M,N] = beta·C + op(A)·op(B), all row-major and contiguous:
 *   op(A) is [M,K]: A is [M,K] (lda = K) or, when transA, A is [K,M] (lda = M);
 *   op(B) is [K,N]: B is [K,N] (ldb = N) or, when transB, B is [N,K] (ldb = K).
 * beta is 0 (overwrite) or 1 (accumulate). Offsets are in elements.
 * Positional like BLAS's sgemm, whose order every reader of GEMM code knows; the fused calls
 * below, which add an epilogue's operands, take one options object instead (GemmProduct).
 */
export function sgemmRef(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOff: number, B: Float32Array, bOff: number,
  C: Float32Array, cOff: number, beta: 0 | 1,
): void {
  if (beta === 0) C.fill(0, cOff, cOff + M * N);
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * N;
    for (let p = 0; p < K; p++) {
      const a = transA ? A[aOff + p * M + i]! : A[aOff + i * K + p]!;
      if (a === 0) continue;
      if (transB) {
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bOff + j * K + p]!;
      } else {
        const bp = bOff + p * N;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bp + j]!;
      }
    }
  }
}

/**
 * One fused GEMM call: the product C[M,N] = op(A)·op(B) (layouts as in sgemmRef; offsets in
 * elements, default 0) and its epilogue's operands. An options object, not sgemm's 12 positional
 * parameters: with the epilogue these calls had 15 and 17. One literal per call costs nothing
 * measurable: bench:core --clock cpu, six interleaved runs each on a shared 2-core machine, median
 * samples/s positional → options: spiral (the workload most sensitive to per-call cost, ~60 µs
 * steps) 4.24M → 4.38M, mlp1 29.1k → 28.4k; run-to-run spread ±40%.
 */
export interface GemmProduct {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  A: Float32Array;
  aOff?: number;
  B: Float32Array;
  bOff?: number;
  C: Float32Array;
  cOff?: number;
}

/** gemmBiasAct's call: bias [N] at biasOff added to every row, then activation `act` (slope for leaky ReLU). */
export interface GemmBiasActCall extends GemmProduct {
  bias: Float32Array;
  biasOff?: number;
  act: Activation;
  slope: number;
}

/** gemmActBackward's call: Y [M,N] at yOff is the activation's output; sums [N] at sOff receives the column sums. */
export interface GemmActBackwardCall extends GemmProduct {
  Y: Float32Array;
  yOff?: number;
  act: Activation;
  slope: number;
  sums: Float32Array;
  sOff?: number;
}

/**
 * C[M,N] = act(op(A)·op(B) + bias), bias [N] added to every row (an affine layer's forward with its
 * activation): sgemmRef with beta 0, then biasActRef.
 */
export function gemmBiasActRef(g: GemmBiasActCall): void {
  const cOff = g.cOff ?? 0;
  sgemmRef(g.transA, g.transB, g.M, g.N, g.K, g.A, g.aOff ?? 0, g.B, g.bOff ?? 0, g.C, cOff, 0);
  biasActRef(g.C, cOff, g.M, g.N, g.bias, g.biasOff ?? 0, g.act, g.slope);
}

/**
 * C[M,N] = act'(Y) ⊙ (op(A)·op(B)) and sums[c] = Σ_r C[r,c], Y the activation output: an affine
 * layer's input gradient taken through the fused activation of the affine below it, with that one's
 * bias gradient. sgemmRef with beta 0, then actBackwardColSumRef in place.
 */
export function gemmActBackwardRef(g: GemmActBackwardCall): void {
  const cOff = g.cOff ?? 0;
  sgemmRef(g.transA, g.transB, g.M, g.N, g.K, g.A, g.aOff ?? 0, g.B, g.bOff ?? 0, g.C, cOff, 0);
  actBackwardColSumRef(g.C, cOff, g.Y, g.yOff ?? 0, g.C, cOff, g.M, g.N, g.act, g.slope, g.sums, g.sOff ?? 0);
}
