/**
 * The fast sgemm: the WebAssembly SIMD kernel (wat-source.ts) behind gemm-ref.ts's signature.
 * Arena views (from `alloc`) are passed by address with zero copies; any other Float32Array is
 * staged through arena scratch space (copied in, and C copied back), so every caller is correct
 * and arena callers are fast.
 */
import { arenaAddress, arenaView, kernels, stage } from "./arena.ts";
import { actBackwardColSum, biasAct } from "./fused.ts";
import { type GemmActBackwardCall, type GemmBiasActCall, sgemmRef } from "./gemm-ref.ts";

function need(name: string, arr: Float32Array, off: number, n: number): void {
  if (!(off >= 0 && off + n <= arr.length)) {
    throw new RangeError(`sgemm: ${name} needs ${n} floats from offset ${off}, has ${arr.length}`);
  }
}

/** C[M,N] = beta·C + op(A)·op(B); contract in gemm-ref.ts. */
export function sgemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOff: number, B: Float32Array, bOff: number,
  C: Float32Array, cOff: number, beta: 0 | 1,
): void {
  if (M <= 0 || N <= 0) return;
  need("A", A, aOff, M * K);
  need("B", B, bOff, K * N);
  need("C", C, cOff, M * N);
  let pa = arenaAddress(A, aOff);
  let pb = arenaAddress(B, bOff);
  let pc = arenaAddress(C, cOff);
  if (pa >= 0 && pb >= 0 && pc >= 0) {
    kernels.gemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, pa, pb, pc, beta);
    return;
  }
  // Copying fallback: stage the non-arena operands side by side in scratch.
  const nA = pa < 0 ? M * K : 0, nB = pb < 0 ? K * N : 0, nC = pc < 0 ? M * N : 0;
  const base = stage((nA + nB + nC) * 4 + 128);
  if (base < 0) {
    sgemmRef(transA, transB, M, N, K, A, aOff, B, bOff, C, cOff, beta);
    return;
  }
  let at = base;
  if (nA) { pa = at; arenaView(pa, nA).set(A.subarray(aOff, aOff + nA)); at += nA * 4; }
  if (nB) { pb = at; arenaView(pb, nB).set(B.subarray(bOff, bOff + nB)); at += nB * 4; }
  if (nC) { pc = at; if (beta) arenaView(pc, nC).set(C.subarray(cOff, cOff + nC)); }
  kernels.gemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, pa, pb, pc, beta);
  if (nC) C.set(arenaView(pc, nC), cOff);
}

/**
 * C[M,N] = act(op(A)·op(B) + bias) (contract in gemm-ref.ts gemmBiasActRef): the WebAssembly kernel
 * applies bias and act in the GEMM's store where the shape allows (K ≤ 4), else gemm then biasAct,
 * all in one call; bit-identical to sgemm (beta 0) followed by biasAct. Non-arena buffers take
 * exactly that pair of calls.
 */
export function gemmBiasAct(g: GemmBiasActCall): void {
  const { transA, transB, M, N, K, A, B, C, bias, act, slope } = g;
  const aOff = g.aOff ?? 0, bOff = g.bOff ?? 0, cOff = g.cOff ?? 0, biasOff = g.biasOff ?? 0;
  if (M <= 0 || N <= 0) return;
  need("A", A, aOff, M * K);
  need("B", B, bOff, K * N);
  need("C", C, cOff, M * N);
  need("bias", bias, biasOff, N);
  const pa = arenaAddress(A, aOff), pb = arenaAddress(B, bOff), pc = arenaAddress(C, cOff), pbias = arenaAddress(bias, biasOff);
  if (pa >= 0 && pb >= 0 && pc >= 0 && pbias >= 0) {
    kernels.gemmBiasAct(transA ? 1 : 0, transB ? 1 : 0, M, N, K, pa, pb, pc, pbias, act, slope);
    return;
  }
  sgemm(transA, transB, M, N, K, A, aOff, B, bOff, C, cOff, 0);
  biasAct(C, cOff, M, N, bias, biasOff, act, slope);
}

/**
 * C = act'(Y) ⊙ (op(A)·op(B)), sums = column sums of C (contract in gemm-ref.ts gemmActBackwardRef):
 * the WebAssembly kernel masks and sums in the GEMM's store where the shape allows (K ≤ 4), else
 * gemm then actBackwardColSum, in one call; bit-identical to sgemm (beta 0) then actBackwardColSum.
 */
export function gemmActBackward(g: GemmActBackwardCall): void {
  const { transA, transB, M, N, K, A, B, C, Y, act, slope, sums } = g;
  const aOff = g.aOff ?? 0, bOff = g.bOff ?? 0, cOff = g.cOff ?? 0, yOff = g.yOff ?? 0, sOff = g.sOff ?? 0;
  if (M <= 0 || N <= 0) return;
  need("A", A, aOff, M * K);
  need("B", B, bOff, K * N);
  need("C", C, cOff, M * N);
  need("Y", Y, yOff, M * N);
  need("sums", sums, sOff, N);
  const pa = arenaAddress(A, aOff), pb = arenaAddress(B, bOff), pc = arenaAddress(C, cOff);
  const py = arenaAddress(Y, yOff), ps = arenaAddress(sums, sOff);
  if (pa >= 0 && pb >= 0 && pc >= 0 && py >= 0 && ps >= 0) {
    kernels.gemmActBackward(transA ? 1 : 0, transB ? 1 : 0, M, N, K, pa, pb, pc, py, act, slope, ps);
    return;
  }
  sgemm(transA, transB, M, N, K, A, aOff, B, bOff, C, cOff, 0);
  actBackwardColSum(C, cOff, Y, yOff, C, cOff, M, N, act, slope, sums, sOff);
}
