import type { Closure, Optimizer, Param } from "../layer.ts";
import { strongWolfe } from "./strong-wolfe.ts";

export interface LbfgsOptions {
  /** Number m of (s, y) pairs kept (PyTorch's history_size). */
  history: number;
  /** Iterations per `step` call (default 20, as PyTorch; the trainer uses 1 per epoch). */
  maxIter?: number;
  /** Objective evaluations per `step` call (default ⌊1.25·maxIter⌋). */
  maxEval?: number;
  /** Stop when max |g| ≤ this (default 1e-7). */
  tolGrad?: number;
  /** Stop when the loss or the step changes by less than this (default 1e-9). */
  tolChange?: number;
  /** "strong_wolfe" (default) or "none" (fixed step t = lr, PyTorch's line_search_fn=None). */
  lineSearch?: "strong_wolfe" | "none";
}

/**
 * Limited-memory BFGS for full-batch training: a port of torch.optim.LBFGS (1.13) with the same
 * state, stopping tests and strong-Wolfe line search, so one `step(params, lr, closure)` here equals
 * one `opt.step(closure)` there. Direction by the two-loop recursion over the last m pairs
 * s = x_{k+1} − x_k, y = g_{k+1} − g_k (pairs with yᵀs ≤ 1e-10 are skipped), initial inverse
 * Hessian H0 = (yᵀs / yᵀy)·I. Vectors are float64 over the non-frozen params, concatenated in order.
 * An `Optimizer` that needs the closure (a line search re-evaluates the objective). PyTorch's lr, the
 * initial step length, is `step`'s lr: the first iteration uses min(1, 1/‖g‖₁)·lr.
 */
export class Lbfgs implements Optimizer {
  readonly needsClosure = true;
  readonly opts: Required<LbfgsOptions>;
  private d: Float64Array | null = null;
  private t = 0;
  private dirs: Float64Array[] = [];
  private stps: Float64Array[] = [];
  private ro: number[] = [];
  private hDiag = 1;
  private prevGrad: Float64Array | null = null;
  private prevLoss = 0;
  private nIter = 0;
  /** Total objective evaluations so far. */
  funcEvals = 0;

  constructor(opts: LbfgsOptions) {
    const maxIter = opts.maxIter ?? 20;
    this.opts = {
      history: opts.history, maxIter, maxEval: opts.maxEval ?? Math.floor((maxIter * 5) / 4),
      tolGrad: opts.tolGrad ?? 1e-7, tolChange: opts.tolChange ?? 1e-9, lineSearch: opts.lineSearch ?? "strong_wolfe",
    };
  }

  /** Runs up to maxIter iterations with initial step length lr; returns the loss at the starting point (as PyTorch). */
  step(allParams: readonly Param[], lr: number, closure?: Closure): number {
    if (!closure) throw new Error("lbfgs: step needs the closure that evaluates the objective");
    const params = allParams.filter((p) => !p.frozen);
    const { maxIter, maxEval, tolGrad, tolChange, history } = this.opts;
    const origLoss = closure();
    let loss = origLoss;
    let evals = 1;
    this.funcEvals++;
    let g = gather(params);
    if (maxAbs(g) <= tolGrad) return origLoss;

    let d = this.d ?? new Float64Array(g.length);
    let t = this.t;
    let n = 0;
    while (n < maxIter) {
      n++;
      this.nIter++;
      if (this.nIter === 1) {
        for (let i = 0; i < g.length; i++) d[i] = -g[i];
        this.dirs = []; this.stps = []; this.ro = []; this.hDiag = 1;
      } else {
        const prev = this.prevGrad!;
        const y = new Float64Array(g.length);
        const s = new Float64Array(g.length);
        for (let i = 0; i < g.length; i++) { y[i] = g[i] - prev[i]; s[i] = d[i] * t; }
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (this.dirs.length === history) { this.dirs.shift(); this.stps.shift(); this.ro.shift(); }
          this.dirs.push(y); this.stps.push(s); this.ro.push(1 / ys);
          this.hDiag = ys / dot(y, y);
        }
        d = this.twoLoop(g);
      }
      if (this.prevGrad === null) this.prevGrad = new Float64Array(g);
      else this.prevGrad.set(g);
      this.prevLoss = loss;

      t = this.nIter === 1 ? Math.min(1, 1 / sumAbs(g)) * lr : lr;
      const gtd = dot(g, d);
      if (gtd > -tolChange) break;

      let lsEvals = 0;
      if (this.opts.lineSearch === "strong_wolfe") {
        const x0 = params.map((p) => new Float32Array(p.value));
        const dir = d;
        const evaluate = (tt: number) => {
          addScaled(params, tt, dir);
          const f = closure();
          const gg = gather(params);
          params.forEach((p, k) => p.value.set(x0[k]));
          return { f, g: gg };
        };
        const r = strongWolfe(evaluate, t, d, loss, g, gtd, 1e-4, 0.9, tolChange);
        loss = r.f; g = r.g; t = r.t; lsEvals = r.evals;
        addScaled(params, t, d);
      } else {
        addScaled(params, t, d);
        if (n !== maxIter) { loss = closure(); g = gather(params); lsEvals = 1; }
      }
      evals += lsEvals;
      this.funcEvals += lsEvals;

      if (n === maxIter || evals >= maxEval || maxAbs(g) <= tolGrad) break;
      if (maxAbs(d) * Math.abs(t) <= tolChange) break;
      if (Math.abs(loss - this.prevLoss) < tolChange) break;
    }
    this.d = d;
    this.t = t;
    return origLoss;
  }

  /** d = −H·g by the two-loop recursion (PyTorch's single-buffer form). */
  private twoLoop(g: Float64Array): Float64Array {
    const k = this.dirs.length;
    const al = new Float64Array(k);
    const q = new Float64Array(g.length);
    for (let i = 0; i < g.length; i++) q[i] = -g[i];
    for (let i = k - 1; i >= 0; i--) {
      al[i] = dot(this.stps[i], q) * this.ro[i];
      axpy(-al[i], this.dirs[i], q);
    }
    for (let i = 0; i < q.length; i++) q[i] *= this.hDiag;
    for (let i = 0; i < k; i++) {
      const be = dot(this.dirs[i], q) * this.ro[i];
      axpy(al[i] - be, this.stps[i], q);
    }
    return q;
  }
}

function gather(params: readonly Param[]): Float64Array {
  let n = 0;
  for (const p of params) n += p.grad.length;
  const g = new Float64Array(n);
  let o = 0;
  for (const p of params) { g.set(p.grad, o); o += p.grad.length; }
  return g;
}

/** w += t·d (in float32, as the params are stored). */
function addScaled(params: readonly Param[], t: number, d: Float64Array): void {
  let o = 0;
  for (const p of params) {
    const w = p.value;
    for (let i = 0; i < w.length; i++) w[i] += t * d[o + i];
    o += w.length;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function sumAbs(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return s;
}
