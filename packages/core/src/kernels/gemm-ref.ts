import { type Activation, actBackwardColSumRef, biasActRef } from "./fused-ref.ts";

/**
 * Plain-TypeScript reference GEMM: the twin the WebAssembly kernel is tested against.
 *
 * C[M,N] = beta·C + op(A)·op(B), all row-major and contiguous:
 *   op(A) is [M,K]: A is [M,K] (lda = K) or, when transA, A is [K,M] (lda = M);
 *   op(B) is [K,N]: B is [K,N] (ldb = N) or, when transB, B is [N,K] (ldb = K).
 * beta is 0 (overwrite) or 1 (accumulate). Offsets are in elements.
 * Positional like BLAS on purpose: it is called per layer per step, and an options
 * object per call would allocate on the hot path.
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
 * C[M,N] = act(op(A)·op(B) + bias), bias [N] at bOff added to every row (an affine layer's forward
 * with its activation): sgemmRef with beta 0, then biasActRef.
 */
export function gemmBiasActRef(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
  bias: Float32Array, biasOff: number, a: Activation, slope: number,
): void {
  sgemmRef(transA, transB, M, N, K, A, aOff, B, bOff, C, cOff, 0);
  biasActRef(C, cOff, M, N, bias, biasOff, a, slope);
}

/**
 * C[M,N] = act'(Y) ⊙ (op(A)·op(B)) and sums[c] = Σ_r C[r,c], Y [M,N] at yOff the activation output:
 * an affine layer's input gradient taken through the fused activation of the affine below it, with
 * that one's bias gradient. sgemmRef with beta 0, then actBackwardColSumRef in place.
 */
export function gemmActBackwardRef(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
  Y: Float32Array, yOff: number, a: Activation, slope: number, sums: Float32Array, sOff: number,
): void {
  sgemmRef(transA, transB, M, N, K, A, aOff, B, bOff, C, cOff, 0);
  actBackwardColSumRef(C, cOff, Y, yOff, C, cOff, M, N, a, slope, sums, sOff);
}
