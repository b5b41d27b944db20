/**
 * The update kernels (WebAssembly SIMD, float32) for SGD, momentum / Nesterov momentum and
 * AdaGrad / RMSProp, each with its twin in updates-ref.ts. Arrays are read from offset 0 for n
 * floats; with any array outside the arena the twin runs instead.
 */
import { arenaAddress, kernels } from "./arena.ts";
import { cacheUpdateRef, l2GradRef, momentumUpdateRef, sgdUpdateRef } from "./updates-ref.ts";

function need(kernel: string, arrays: Float32Array[], n: number): void {
  for (const a of arrays) {
    if (!(n >= 0 && a.length >= n)) throw new RangeError(`${kernel}: needs ${n} floats, an array has ${a.length}`);
  }
}

/** See sgdUpdateRef. */
export function sgdUpdate(w: Float32Array, g: Float32Array, n: number, lr: number): void {
  need("sgdUpdate", [w, g], n);
  const pw = arenaAddress(w, 0), pg = arenaAddress(g, 0);
  if (pw < 0 || pg < 0) return sgdUpdateRef(w, g, n, lr);
  kernels.sgd(pw, pg, n, lr);
}

/** See momentumUpdateRef. */
export function momentumUpdate(
  w: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number, mu: number, nesterov: boolean,
): void {
  need("momentumUpdate", [w, g, v], n);
  const pw = arenaAddress(w, 0), pg = arenaAddress(g, 0), pv = arenaAddress(v, 0);
  if (pw < 0 || pg < 0 || pv < 0) return momentumUpdateRef(w, g, v, n, lr, mu, nesterov);
  kernels.momentum(pw, pg, pv, n, lr, mu, nesterov ? 1 : 0);
}

/** See cacheUpdateRef (AdaGrad: decay = gain = 1; RMSProp: decay = rho, gain = 1 − rho). */
export function cacheUpdate(
  w: Float32Array, g: Float32Array, cache: Float32Array, n: number, lr: number, decay: number, gain: number, eps: number,
): void {
  need("cacheUpdate", [w, g, cache], n);
  const pw = arenaAddress(w, 0), pg = arenaAddress(g, 0), pc = arenaAddress(cache, 0);
  if (pw < 0 || pg < 0 || pc < 0) return cacheUpdateRef(w, g, cache, n, lr, decay, gain, eps);
  kernels.cacheUpdate(pw, pg, pc, n, lr, decay, gain, eps);
}

/** See l2GradRef: g += l2·w, returns Σ w². */
export function l2Grad(w: Float32Array, g: Float32Array, n: number, l2: number): number {
  need("l2Grad", [w, g], n);
  const pw = arenaAddress(w, 0), pg = arenaAddress(g, 0);
  if (pw < 0 || pg < 0) return l2GradRef(w, g, n, l2);
  return kernels.l2Grad(pw, pg, n, l2);
}
