/**
 * Strong-Wolfe line search, a line-by-line port of PyTorch 1.13's `_strong_wolfe` and
 * `_cubic_interpolate` (torch/optim/lbfgs.py, itself from Torch7's lswolfe.lua), so that our
 * L-BFGS follows torch.optim.LBFGS(line_search_fn="strong_wolfe") step for step.
 * Conditions: sufficient decrease f(t) ≤ f(0) + c1·t·gᵀd and curvature |g(t)ᵀd| ≤ −c2·gᵀd.
 */

/** Evaluates the objective at x + t·d: returns f and writes the gradient into `g` (a fresh buffer each call). */
export type DirectionalEval = (t: number) => { f: number; g: Float64Array };

/** Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds (default [min x, max x]). */
export function cubicInterpolate(
  x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export interface WolfeResult { f: number; g: Float64Array; t: number; evals: number }

/**
 * Searches along d from the current point (loss f, gradient g, directional derivative gtd < 0),
 * starting with step t. Returns the accepted step, its loss and gradient, and the number of evaluations.
 */
export function strongWolfe(
  evaluate: DirectionalEval, t: number, d: Float64Array, f: number, g: Float64Array, gtd: number,
  c1 = 1e-4, c2 = 0.9, tolChange = 1e-9, maxLs = 25,
): WolfeResult {
  let dNorm = 0;
  for (let i = 0; i < d.length; i++) dNorm = Math.max(dNorm, Math.abs(d[i]));
  let { f: fNew, g: gNew } = evaluate(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);

  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let br: number[] = [], brF: number[] = [], brG: Float64Array[] = [], brGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      br = [tPrev, t]; brF = [fPrev, fNew]; brG = [gPrev, gNew]; brGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      br = [t]; brF = [fNew]; brG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      br = [tPrev, t]; brF = [fPrev, fNew]; brG = [gPrev, gNew]; brGtd = [gtdPrev, gtdNew];
      break;
    }
    // Extrapolate: cubic step within [t + 0.01(t − tPrev), 10t].
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew;
    ({ f: fNew, g: gNew } = evaluate(t));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) {
    br = [0, t]; brF = [f, fNew]; brG = [g, gNew];
  }

  // Zoom: shrink the bracket until a point satisfies both conditions.
  let insufProgress = false;
  let [lowPos, highPos] = brF[0] <= brF[brF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(br[1] - br[0]) * dNorm < tolChange) break;
    t = cubicInterpolate(br[0], brF[0], brGtd[0], br[1], brF[1], brGtd[1]);
    const bMax = Math.max(br[0], br[1]);
    const bMin = Math.min(br[0], br[1]);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      // Too close to an end: after insufficient progress (or at the end itself) move 10% inside.
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    ({ f: fNew, g: gNew } = evaluate(t));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= brF[lowPos]) {
      br[highPos] = t; brF[highPos] = fNew; brG[highPos] = gNew; brGtd[highPos] = gtdNew;
      [lowPos, highPos] = brF[0] <= brF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (br[highPos] - br[lowPos]) >= 0) {
        br[highPos] = br[lowPos]; brF[highPos] = brF[lowPos]; brG[highPos] = brG[lowPos]; brGtd[highPos] = brGtd[lowPos];
      }
      br[lowPos] = t; brF[lowPos] = fNew; brG[lowPos] = gNew; brGtd[lowPos] = gtdNew;
    }
  }
  return { f: brF[lowPos], g: brG[lowPos], t: br[lowPos], evals };
}
