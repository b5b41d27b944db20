/**
 * Plain-TypeScript twins of the update kernels in updates.ts (SGD, momentum, Nesterov momentum,
 * AdaGrad, RMSProp; Adam is adamUpdateRef in fused-ref.ts). Same formulas as optimizers/*.ts
 * (CS231n lecture 7), over n floats from offset 0; the kernels compute in float32.
 */

/** w −= lr·g. */
export function sgdUpdateRef(w: Float32Array, g: Float32Array, n: number, lr: number): void {
  for (let i = 0; i < n; i++) w[i] = w[i]! - lr * g[i]!;
}

/**
 * Momentum: v = mu·v − lr·g; w += v. Nesterov (CS231n's form): v' = mu·v − lr·g;
 * w += −mu·v + (1 + mu)·v'.
 */
export function momentumUpdateRef(
  w: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number, mu: number, nesterov: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const vPrev = v[i]!;
    const vi = mu * vPrev - lr * g[i]!;
    v[i] = vi;
    w[i] = w[i]! + (nesterov ? -mu * vPrev + (1 + mu) * vi : vi);
  }
}

/**
 * The AdaGrad / RMSProp step: cache = decay·cache + gain·g²; w −= lr·g / (sqrt(cache) + eps).
 * AdaGrad: decay = gain = 1. RMSProp with decay rate rho: decay = rho, gain = 1 − rho.
 */
export function cacheUpdateRef(
  w: Float32Array, g: Float32Array, cache: Float32Array, n: number, lr: number, decay: number, gain: number, eps: number,
): void {
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const c = decay * cache[i]! + gain * gi * gi;
    cache[i] = c;
    w[i] = w[i]! - (lr * gi) / (Math.sqrt(c) + eps);
  }
}

/**
 * L2 regularisation (CS231n): g += l2·w, and returns Σ w² (float64) for the penalty ½·l2·Σ w²
 * (as optimizers/l2.ts applyL2 computes it for one param).
 */
export function l2GradRef(w: Float32Array, g: Float32Array, n: number, l2: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    sum += wi * wi;
    g[i] = g[i]! + l2 * wi;
  }
  return sum;
}
