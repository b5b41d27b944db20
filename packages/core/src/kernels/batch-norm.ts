/**
 * The batch-norm kernels (WebAssembly, wat/batch-norm.ts) behind the signatures of their twins in
 * batch-norm-ref.ts (contracts there). They run when every buffer is an arena view (`alloc`,
 * `allocFloat64`); otherwise the call runs the twin.
 */
import { arenaAddress, kernels } from "./arena.ts";
import { type BatchNormState, batchNormBackwardRef, batchNormForwardRef } from "./batch-norm-ref.ts";
import type { Activation } from "./fused-ref.ts";

function check(kernel: string, N: number, C: number, P: number, big: (Float32Array | Float64Array)[], s: BatchNormState): void {
  const n = N * C * P;
  for (const a of big) if (a.length < n) throw new RangeError(`${kernel}: needs ${n} floats per tensor, one has ${a.length}`);
  for (const a of [s.gamma, s.beta, s.gammaGrad, s.betaGrad, s.runningMean, s.runningVar, s.mean, s.invStd, s.sum1, s.sum2, s.k]) {
    if (a.length < C) throw new RangeError(`${kernel}: needs ${C} values per channel array, one has ${a.length}`);
  }
}

/** Byte addresses of the arrays, or null if any is outside the arena. */
function addresses(arrays: (Float32Array | Float64Array)[]): number[] | null {
  const out: number[] = [];
  for (const a of arrays) {
    const p = arenaAddress(a, 0);
    if (p < 0) return null;
    out.push(p);
  }
  return out;
}

/** See batchNormForwardRef. */
export function batchNormForward(
  x: Float32Array, y: Float32Array, xhat: Float32Array, N: number, C: number, P: number, s: BatchNormState, training: boolean,
  act: Activation = 0, slope = 0,
): void {
  check("batchNormForward", N, C, P, [x, y, xhat], s);
  const p = addresses([x, y, xhat, s.mean, s.invStd, s.runningMean, s.runningVar, s.gamma, s.beta]);
  if (!p) return batchNormForwardRef(x, y, xhat, N, C, P, s, training, act, slope);
  const [px, py, pxh, pm, pis, prm, prv, pg, pb] = p as [number, number, number, number, number, number, number, number, number];
  kernels.bnStats(px, N, C, P, pm, pis, prm, prv, s.eps, s.momentum, training ? 1 : 0);
  kernels.bnNormalize(px, py, pxh, N, C, P, pm, pis, pg, pb, act, slope);
}

/** See batchNormBackwardRef. */
export function batchNormBackward(
  dout: Float32Array, y: Float32Array, xhat: Float32Array, dx: Float32Array, N: number, C: number, P: number, s: BatchNormState,
  training: boolean, act: Activation = 0, slope = 0,
): void {
  check("batchNormBackward", N, C, P, [dout, y, xhat, dx], s);
  const p = addresses([dout, xhat, dx, s.sum1, s.sum2, s.k, s.gamma, s.invStd, s.gammaGrad, s.betaGrad, y]);
  if (!p) return batchNormBackwardRef(dout, y, xhat, dx, N, C, P, s, training, act, slope);
  const [pd, pxh, pdx, p1, p2, pk, pg, pis, pdg, pdb, py] = p as [number, number, number, number, number, number, number, number, number, number, number];
  kernels.bnBackward(pd, pxh, pdx, N, C, P, p1, p2, pk, pg, pis, pdg, pdb, training ? 1 : 0, py, act, slope);
}
