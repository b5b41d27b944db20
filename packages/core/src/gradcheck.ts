import { alloc } from "./kernels/index.ts";
import type { Layer } from "./layer.ts";
import type { Rng } from "./rng.ts";

/**
 * Finite-difference gradient checks (CS231n lecture 7's "gradient check"; ConvNetJS's NeuralNetSpec).
 *
 * The core computes in float32, so the numeric gradient is limited by float32 rounding of the
 * forward pass: with outputs of size ~1 each evaluation carries an error of ~1e-7 relative, which
 * the centred difference divides by 2h. So h is large by float64 standards (1e-2 to 1e-3), the
 * scalar being differentiated is accumulated in float64, the step actually taken is the float32
 * difference (x+h) − (x−h), and inputs of piecewise-linear layers (ReLU, max pool, hinge) are kept
 * further than h from their kinks, where the centred difference is exact up to rounding.
 * A float64 twin of every layer would allow 1e-7 tolerances but would also double the code that
 * can be wrong; these checks run the production float32 code itself.
 */

export interface GradCheckResult {
  /** max over checked elements of |a − n| / max(|a|, |n|, floor). */
  maxRelError: number;
  /** Where that maximum is, with both gradients there. */
  index: number;
  analytic: number;
  numeric: number;
  /** ‖a − n‖₂ / max(‖a‖₂ + ‖n‖₂, floor) over the checked elements: robust to single tiny entries. */
  normRelError: number;
  /** Number of elements checked. */
  checked: number;
}

export interface GradCheckOptions {
  /** Step of the centred difference (default 1e-2, see above). */
  h?: number;
  /** Denominator floor of the relative error (default 1e-8). */
  floor?: number;
  /** Check only these indices (default: all). */
  indices?: readonly number[];
}

/**
 * Compares analytic[i] with (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for each checked i, perturbing x in
 * place and restoring it. f must read x on every call and return the scalar in float64.
 */
export function gradCheck(f: () => number, x: Float32Array, analytic: ArrayLike<number>, opts: GradCheckOptions = {}): GradCheckResult {
  const h = opts.h ?? 1e-2;
  const floor = opts.floor ?? 1e-8;
  if (analytic.length !== x.length) throw new RangeError(`gradCheck: ${analytic.length} analytic values for ${x.length} inputs`);
  const result: GradCheckResult = { maxRelError: 0, index: -1, analytic: 0, numeric: 0, normRelError: 0, checked: 0 };
  let diff2 = 0;
  let a2 = 0;
  let n2 = 0;
  const check = (i: number) => {
    const old = x[i]!;
    x[i] = old + h;
    const xp = x[i]!;
    const fp = f();
    x[i] = old - h;
    const xm = x[i]!;
    const fm = f();
    x[i] = old;
    const n = (fp - fm) / (xp - xm);
    const a = analytic[i]!;
    const err = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
    result.checked++;
    diff2 += (a - n) ** 2;
    a2 += a * a;
    n2 += n * n;
    if (err > result.maxRelError || result.index < 0 || Number.isNaN(err)) {
      Object.assign(result, { maxRelError: Number.isNaN(err) ? Infinity : err, index: i, analytic: a, numeric: n });
    }
  };
  if (opts.indices) for (const i of opts.indices) check(i);
  else for (let i = 0; i < x.length; i++) check(i);
  result.normRelError = Math.sqrt(diff2) / Math.max(Math.sqrt(a2) + Math.sqrt(n2), floor);
  if (Number.isNaN(result.normRelError)) result.normRelError = Infinity;
  return result;
}

/**
 * Gradient check of one layer on the scalar L = Σ out ⊙ r with a fixed random r (so every output
 * matters with its own weight): checks dx and the grad of every param. The layer is run again for
 * each perturbation with the same `training` flag; a layer with randomness must repeat it (e.g.
 * dropout with a fixed mask).
 */
export function layerGradCheck(
  layer: Layer,
  x: Float32Array,
  batch: number,
  rng: Rng,
  opts: Omit<GradCheckOptions, "indices"> & { training?: boolean } = {},
): { dx: GradCheckResult; params: Record<string, GradCheckResult> } {
  const training = opts.training ?? true;
  const out = layer.forward(x, batch, training);
  const r = alloc(out.length);
  for (let i = 0; i < r.length; i++) r[i] = rng.normal();
  const dx = Float64Array.from(layer.backward(r));
  const grads = layer.params().map((p) => Float64Array.from(p.grad));
  const L = () => {
    const y = layer.forward(x, batch, training);
    let s = 0;
    for (let i = 0; i < r.length; i++) s += y[i]! * r[i]!;
    return s;
  };
  const params: Record<string, GradCheckResult> = {};
  layer.params().forEach((p, k) => {
    params[p.name] = gradCheck(L, p.value, grads[k]!, opts);
  });
  return { dx: gradCheck(L, x.subarray(0, dx.length), dx, opts), params };
}
