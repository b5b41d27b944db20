import type { UniformStream } from "./prng.ts";

/**
 * The Parzen (kernel density) estimators of TPE (Bergstra et al. 2011, §4),
 * one dimension at a time. Numeric: a mixture of Gaussians truncated to
 * [low, high] — one per observation plus a wide prior component centred on
 * the range (σ = its width), equal weights. Each observation's σ is the larger
 * gap to its neighbours in sorted order (the prior's centre included, the
 * range's ends not), clipped to [width / min(100, 1 + n), width] so a lone
 * point neither collapses to a spike nor spreads past the range. Callers work
 * in the transformed space (log for loguniform, ±0.5 around int bounds).
 */
export class ParzenEstimator {
  private readonly mus: number[];
  private readonly sigmas: number[];
  /** log of each component's normalising mass over [low, high]. */
  private readonly logMass: number[];
  private readonly logWeight: number;

  constructor(
    points: readonly number[],
    readonly low: number,
    readonly high: number,
  ) {
    const width = high - low;
    // The prior sorts after observations equal to its centre, so its index is known.
    const comps = [...points.map((mu) => ({ mu, prior: false })), { mu: (low + high) / 2, prior: true }].sort((a, b) => a.mu - b.mu || Number(a.prior) - Number(b.prior));
    const n = comps.length;
    const minSigma = width / Math.min(100, 1 + points.length);
    this.mus = comps.map((c) => c.mu);
    this.sigmas = comps.map((c, i) => {
      if (c.prior) return width;
      const left = i > 0 ? c.mu - comps[i - 1]!.mu : 0;
      const right = i < n - 1 ? comps[i + 1]!.mu - c.mu : 0;
      return Math.min(width, Math.max(minSigma, left, right));
    });
    this.logMass = this.mus.map((m, i) => Math.log(Math.max(1e-300, normalCdf((high - m) / this.sigmas[i]!) - normalCdf((low - m) / this.sigmas[i]!))));
    this.logWeight = -Math.log(n);
  }

  /** One draw: a component by weight, then its truncated Gaussian by inverse CDF. Two uniforms from `rng`. */
  sample(rng: UniformStream): number {
    const k = Math.min(this.mus.length - 1, Math.floor(rng.next() * this.mus.length));
    const mu = this.mus[k]!;
    const s = this.sigmas[k]!;
    const a = normalCdf((this.low - mu) / s);
    const b = normalCdf((this.high - mu) / s);
    const u = a + rng.next() * (b - a);
    const x = mu + s * normalQuantile(Math.min(1 - 1e-16, Math.max(1e-16, u)));
    return x < this.low ? this.low : x > this.high ? this.high : x;
  }

  /** log density at x (inside [low, high]). */
  logPdf(x: number): number {
    const terms = this.mus.map((m, i) => {
      const z = (x - m) / this.sigmas[i]!;
      return this.logWeight - 0.5 * z * z - Math.log(this.sigmas[i]! * Math.sqrt(2 * Math.PI)) - this.logMass[i]!;
    });
    return logSumExp(terms);
  }
}

/**
 * TPE's estimator of a choice dimension: each observed value's count plus a
 * uniform prior of total weight 1, normalised — a value never seen keeps
 * probability 1 / (K·(n + 1)), so it is never ruled out.
 */
export class CategoricalEstimator {
  readonly probs: number[];

  constructor(observed: readonly number[], k: number) {
    const counts = new Array<number>(k).fill(1 / k);
    for (const i of observed) counts[i]! += 1;
    const total = observed.length + 1;
    this.probs = counts.map((c) => c / total);
  }

  sample(rng: UniformStream): number {
    let u = rng.next();
    for (let i = 0; i < this.probs.length; i++) {
      u -= this.probs[i]!;
      if (u < 0) return i;
    }
    return this.probs.length - 1;
  }

  logPdf(i: number): number {
    return Math.log(this.probs[i]!);
  }
}

function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Φ(z), the standard normal CDF, via erfc (Numerical Recipes' Chebyshev fit, |relative error| < 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error < 1.15e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lowP = 0.02425;
  if (p < lowP) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lowP) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
