/**
 * Plain-TypeScript twins of the batch-norm kernels (batch-norm.ts, WAT in wat/batch-norm.ts), and
 * their fallback for buffers outside the arena. x is [N, C, P] float32: sample n, channel c, then P
 * contiguous elements (P = 1 for [D] inputs, H·W for [C, H, W]). Statistics and sums in float64.
 * The kernels give the same elementwise results for the same statistics; their sums add in another
 * order (within a few float64 ulps, which float32 outputs rarely see).
 * A relu / leaky relu after the batch norm can be fused in (act, slope as in fused-ref.ts): forward
 * applies it to y, backward takes dout·act'(y) off the output y first.
 */
import { type Activation, actBackwardRef, actForwardRef } from "./fused-ref.ts";

/** A batch norm's per-channel tensors ([C] each) that forward and backward read and write. */
export interface BatchNormState {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly gammaGrad: Float32Array;
  readonly betaGrad: Float32Array;
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;
  /** float64 [C]: the last forward's mean and 1/√(var + eps) (batch or running statistics). */
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
  /** float64 [C] scratch: sums, and backward's per-channel factor. */
  readonly sum1: Float64Array;
  readonly sum2: Float64Array;
  readonly k: Float64Array;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of the new batch statistic in the running averages. */
  readonly momentum: number;
}

/**
 * Forward: training → mean and biased variance of each channel over N·P values, running averages
 * updated (running_var with the unbiased variance, unchanged when N·P = 1); evaluation → the
 * running statistics. Then x̂ = (x − mean)/√(var + eps) and y = act(γ·x̂ + β) (x̂ is kept for backward).
 */
export function batchNormForwardRef(
  x: Float32Array, y: Float32Array, xhat: Float32Array, N: number, C: number, P: number, s: BatchNormState, training: boolean,
  act: Activation = 0, slope = 0,
): void {
  const { mean, invStd, sum1, sum2 } = s;
  const m = N * P;
  if (training) {
    // Two passes (mean, then squared deviations): exact enough in float64 without Welford.
    sum1.fill(0);
    sum2.fill(0);
    for (let n = 0, o = 0; n < N; n++) {
      for (let c = 0; c < C; c++, o += P) {
        let t = 0;
        for (let p = o; p < o + P; p++) t += x[p]!;
        sum1[c]! += t;
      }
    }
    for (let c = 0; c < C; c++) mean[c] = sum1[c]! / m;
    for (let n = 0, o = 0; n < N; n++) {
      for (let c = 0; c < C; c++, o += P) {
        const mu = mean[c]!;
        let t = 0;
        for (let p = o; p < o + P; p++) {
          const d = x[p]! - mu;
          t += d * d;
        }
        sum2[c]! += t;
      }
    }
    const mom = s.momentum;
    for (let c = 0; c < C; c++) {
      const v = sum2[c]! / m;
      invStd[c] = 1 / Math.sqrt(v + s.eps);
      s.runningMean[c] = (1 - mom) * s.runningMean[c]! + mom * mean[c]!;
      if (m > 1) s.runningVar[c] = (1 - mom) * s.runningVar[c]! + (mom * v * m) / (m - 1);
    }
  } else {
    for (let c = 0; c < C; c++) {
      mean[c] = s.runningMean[c]!;
      invStd[c] = 1 / Math.sqrt(s.runningVar[c]! + s.eps);
    }
  }
  const g = s.gamma, b = s.beta;
  for (let n = 0, o = 0; n < N; n++) {
    for (let c = 0; c < C; c++, o += P) {
      const mu = mean[c]!, is = invStd[c]!, gc = g[c]!, bc = b[c]!;
      for (let p = o; p < o + P; p++) {
        const h = (x[p]! - mu) * is;
        xhat[p] = h;
        y[p] = gc * h + bc;
      }
    }
  }
  if (act !== 0) actForwardRef(y, 0, y, 0, N * C * P, act, slope);
}

/**
 * Backward of the last forward (its output y, x̂, mean and 1/σ in s): with the activation fused, dout
 * is first replaced by dout·act'(y); then dβ = Σ dout, dγ = Σ dout·x̂ per channel
 * (written to s.betaGrad / s.gammaGrad), and with m = N·P
 *   training:   dx = γ/(m·σ)·(m·dout − Σdout − x̂·Σ(dout·x̂))  (the batch statistics depend on x too);
 *   evaluation: dx = γ/σ·dout.
 */
export function batchNormBackwardRef(
  dout: Float32Array, y: Float32Array, xhat: Float32Array, dx: Float32Array, N: number, C: number, P: number, s: BatchNormState,
  training: boolean, act: Activation = 0, slope = 0,
): void {
  const { invStd, sum1, sum2, k } = s;
  const m = N * P;
  if (act !== 0) {
    const g = new Float32Array(N * C * P);
    actBackwardRef(dout, 0, y, 0, g, 0, g.length, act, slope);
    dout = g;
  }
  sum1.fill(0);
  sum2.fill(0);
  for (let n = 0, o = 0; n < N; n++) {
    for (let c = 0; c < C; c++, o += P) {
      let t1 = 0, t2 = 0;
      for (let p = o; p < o + P; p++) {
        const d = dout[p]!;
        t1 += d;
        t2 += d * xhat[p]!;
      }
      sum1[c]! += t1;
      sum2[c]! += t2;
    }
  }
  for (let c = 0; c < C; c++) {
    s.betaGrad[c] = sum1[c]!;
    s.gammaGrad[c] = sum2[c]!;
    k[c] = training ? (s.gamma[c]! * invStd[c]!) / m : s.gamma[c]! * invStd[c]!;
  }
  for (let n = 0, o = 0; n < N; n++) {
    for (let c = 0; c < C; c++, o += P) {
      const kc = k[c]!, s1 = sum1[c]!, s2 = sum2[c]!;
      if (training) for (let p = o; p < o + P; p++) dx[p] = kc * (m * dout[p]! - s1 - xhat[p]! * s2);
      else for (let p = o; p < o + P; p++) dx[p] = kc * dout[p]!;
    }
  }
}
