import { AdaGrad, Adam, alloc, Momentum, Nesterov, type Optimizer, type Param, RmsProp, Sgd } from "@hps/core";
import { contours } from "d3-contour";
import { withArena } from "../arena.ts";
import { check, type Claim, type Scale } from "../claim.ts";
import { r4 } from "../stats.ts";
import { figure, linePanel, type Series } from "../svg/chart.ts";

/** A 2-D loss surface: f and its gradient. */
interface Surface {
  name: string;
  f(x: number, y: number): number;
  grad(x: number, y: number): [number, number];
  start: [number, number];
  domain: { x: [number, number]; y: [number, number] };
}

/** Ill-conditioned bowl f = ½(0.2x² + 20y²): condition number 100, minimum at 0. */
const BOWL: Surface = {
  name: "bowl",
  f: (x, y) => 0.5 * (0.2 * x * x + 20 * y * y),
  grad: (x, y) => [0.2 * x, 20 * y],
  start: [-8, 1],
  domain: { x: [-9, 2], y: [-1.6, 1.6] },
};
/** Saddle f = ½(x² − y²) + y⁴/4 (bounded below along y: minima at y = ±1), starting almost on the ridge. */
const SADDLE: Surface = {
  name: "saddle",
  f: (x, y) => 0.5 * (x * x - y * y) + (y ** 4) / 4,
  grad: (x, y) => [x, -y + y ** 3],
  start: [-1.5, 1e-3],
  domain: { x: [-1.7, 0.6], y: [-0.3, 1.4] },
};

interface Method {
  name: string;
  make(): Optimizer;
  /** A fixed rate; without one the method runs at its best rate of LR_GRID. */
  lr?: number;
}

/**
 * The lecture's defaults: μ = 0.9, RMSProp ρ = 0.99, Adam β = (0.9, 0.999). SGD, momentum and Nesterov
 * each run at their best rate (they are compared on speed, and Nesterov is unstable at SGD's best rate).
 * AdaGrad, RMSProp and Adam share one untuned rate, 0.1 (their first steps are ≈ lr per coordinate,
 * ~1% of the bowl's extent): they are compared on how their step sizes evolve, which a per-method
 * tuned rate would blur (a large tuned rate lets a sign-like method land near 0 in a few lucky jumps).
 */
const METHODS: Method[] = [
  { name: "SGD", make: () => new Sgd() },
  { name: "momentum", make: () => new Momentum(0.9) },
  { name: "Nesterov", make: () => new Nesterov(0.9) },
  { name: "AdaGrad", make: () => new AdaGrad(1e-8), lr: 0.1 },
  { name: "RMSProp", make: () => new RmsProp(0.99, 1e-8), lr: 0.1 },
  { name: "Adam", make: () => new Adam(0.9, 0.999, 1e-8), lr: 0.1 },
];
const ADAM_RAW: Method = { name: "Adam, no bias corr.", make: () => new Adam(0.9, 0.999, 1e-8, false) };

/** Learning rates tried per method: 10^(k/4) from 1e-3 to 1. Each method runs at its best (fewest steps to the target, then lowest final loss). */
const LR_GRID = Array.from({ length: 13 }, (_, k) => Number((10 ** (-3 + k / 4)).toPrecision(3)));

interface Trajectory {
  method: string;
  lr: number;
  points: [number, number][];
  loss: number[];
  /** |Δx| / |∂f/∂x| per step: the effective learning rate along the flat axis x. */
  effectiveLr: number[];
}

/** Runs a core optimiser on a 2-D surface through its public Optimizer.step on one Param of 2 floats. */
function run(surface: Surface, m: Method, lr: number, steps: number): Trajectory {
  return withArena(() => {
    const p: Param = { name: "xy", shape: [2], value: alloc(2), grad: alloc(2), decay: false, frozen: false };
    p.value.set(surface.start);
    const opt = m.make();
    const points: [number, number][] = [[p.value[0], p.value[1]]];
    const loss = [surface.f(p.value[0], p.value[1])];
    const effectiveLr: number[] = [];
    for (let t = 0; t < steps; t++) {
      const [x, y] = [p.value[0], p.value[1]];
      const g = surface.grad(x, y);
      p.grad.set(g);
      opt.step([p], lr);
      effectiveLr.push(Math.abs(p.value[0] - x) / Math.max(1e-30, Math.abs(g[0])));
      points.push([p.value[0], p.value[1]]);
      loss.push(surface.f(p.value[0], p.value[1]));
    }
    return { method: m.name, lr, points, loss, effectiveLr };
  });
}

/** The method at its best rate of LR_GRID on `surface`: fewest steps to `target`, then lowest final loss. */
function best(surface: Surface, m: Method, steps: number, target: number): Trajectory {
  if (m.lr !== undefined) return run(surface, m, m.lr, steps);
  const runs = LR_GRID.map((lr) => run(surface, m, lr, steps));
  const key = (t: Trajectory) => [stepsTo(t, target), Number.isFinite(t.loss[steps]) ? t.loss[steps] : Infinity] as const;
  return runs.reduce((a, b) => { const ka = key(a), kb = key(b); return kb[0] < ka[0] || (kb[0] === ka[0] && kb[1] < ka[1]) ? b : a; });
}

/** First step index with loss ≤ target, or Infinity. */
function stepsTo(t: Trajectory, target: number): number {
  const i = t.loss.findIndex((l) => l <= target);
  return i < 0 ? Infinity : i;
}

/** Contour lines of a surface as SVG paths (d3-contour on a grid, rings mapped to data coordinates). */
function contourUnderlay(s: Surface, levels: number[]) {
  const n = 120;
  const [x0, x1] = s.domain.x;
  const [y0, y1] = s.domain.y;
  const values = new Array<number>(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values[j * n + i] = s.f(x0 + ((x1 - x0) * i) / (n - 1), y0 + ((y1 - y0) * j) / (n - 1));
  const polys = contours().size([n, n]).thresholds(levels)(values);
  return (sx: (v: number) => number, sy: (v: number) => number) =>
    polys.map((mp) => {
      const d = mp.coordinates.flatMap((poly) => poly.map((ring) =>
        `M${ring.map(([gi, gj]) => `${sx(x0 + ((x1 - x0) * (gi - 0.5)) / (n - 1)).toFixed(1)},${sy(y0 + ((y1 - y0) * (gj - 0.5)) / (n - 1)).toFixed(1)}`).join("L")}Z`)).join("");
      return `<path d="${d}" fill="none" stroke="#bbb" stroke-width="0.7"/>`;
    }).join("");
}

/**
 * Claim 5: the core's optimisers on an ill-conditioned quadratic bowl and a saddle, trajectories drawn
 * on the contours. Deterministic (no data, no seed): the gradients are exact.
 */
export const optimizers: Claim = {
  id: 5,
  slug: "optimizers",
  title: "Optimisers on a ravine and a saddle",
  run(scale: Scale) {
    const steps = scale === "quick" ? 150 : 300;
    const f0 = BOWL.f(...BOWL.start);
    const target = 1e-3 * f0;
    const bowl = METHODS.map((m) => best(BOWL, m, steps, target));
    const by = (ts: Trajectory[], name: string) => ts.find((t) => t.method === name)!;
    // Uncorrected Adam at corrected Adam's rate: the comparison is of the same update but for m̂, v̂.
    bowl.push(run(BOWL, ADAM_RAW, by(bowl, "Adam").lr, steps));
    // The saddle at each method's bowl rate (no re-tuning on the saddle).
    const saddle = bowl.filter((t) => ["SGD", "momentum", "Nesterov", "RMSProp", "Adam"].includes(t.method)).map((t) => run(SADDLE, METHODS.find((m) => m.name === t.method)!, t.lr, steps));
    const reach = Object.fromEntries(bowl.map((t) => [t.method, stepsTo(t, target)]));
    const sgd = by(bowl, "SGD");
    const dy = sgd.points.slice(1, 21).map((p, i) => p[1] - sgd.points[i][1]);
    const flips = dy.slice(1).filter((d, i) => Math.sign(d) !== Math.sign(dy[i])).length / (dy.length - 1);
    const ada = by(bowl, "AdaGrad").effectiveLr;
    const rms = by(bowl, "RMSProp").effectiveLr;
    const firstStep = (t: Trajectory) => Math.hypot(t.points[1][0] - t.points[0][0], t.points[1][1] - t.points[0][1]);
    const adamLr = by(bowl, "Adam").lr;
    const adamFirst = firstStep(by(bowl, "Adam"));
    const rawFirst = firstStep(by(bowl, "Adam, no bias corr."));
    const escape = (t: Trajectory) => { const i = t.points.findIndex((p) => p[1] > 0.5); return i < 0 ? Infinity : i; };
    const escapes = Object.fromEntries(saddle.map((t) => [t.method, escape(t)]));
    // Effective rates are compared only while both are still far from the minimum (float32 noise after).
    const window = Math.max(2, Math.min(reach.AdaGrad, reach.RMSProp, steps));
    const checks = [
      check("SGD zig-zags across the ravine", flips > 0.9, `the steep coordinate's step changes sign in ${(100 * flips).toFixed(0)}% of the first 20 steps`),
      check("momentum and Nesterov reach the minimum faster than SGD", reach.momentum < reach.SGD && reach.Nesterov < reach.SGD, `steps to f ≤ 1e-3·f0: SGD ${reach.SGD}, momentum ${reach.momentum}, Nesterov ${reach.Nesterov}`),
      check("AdaGrad's steps shrink over time", ada.slice(0, window).every((v, i) => i === 0 || v <= ada[i - 1] * (1 + 1e-6)) && ada[window - 1] < 0.5 * ada[0],
        `effective lr along the flat axis |Δx|/|∂f/∂x| over the ${window} steps before either reaches the target: step 1 ${ada[0].toPrecision(3)} → step ${window} ${ada[window - 1].toPrecision(3)} (×${(ada[window - 1] / ada[0]).toFixed(2)}, never rising)`),
      check("RMSProp fixes that: its effective step recovers, and it reaches the target sooner", rms[window - 1] / rms[0] > ada[window - 1] / ada[0] && rms[window - 1] > Math.min(...rms.slice(0, window)) && reach.RMSProp < reach.AdaGrad,
        `RMSProp effective lr step 1 ${rms[0].toPrecision(3)} → min ${Math.min(...rms.slice(0, window)).toPrecision(3)} → step ${window} ${rms[window - 1].toPrecision(3)} (×${(rms[window - 1] / rms[0]).toFixed(2)}); steps to target RMSProp ${reach.RMSProp} vs AdaGrad ${reach.AdaGrad}`),
      check("Adam without bias correction takes a too-large first step", Math.abs(adamFirst / Math.SQRT2 - adamLr) < 1e-3 * adamLr && rawFirst > 2 * adamFirst, `lr ${adamLr}: first step length ${adamFirst.toFixed(4)} with correction (lr·√2 = ${(adamLr * Math.SQRT2).toFixed(4)}), ${rawFirst.toFixed(4)} without (${(rawFirst / adamFirst).toFixed(2)}×)`),
      check("on the saddle, momentum leaves the ridge before SGD", escapes.momentum < escapes.SGD, `steps until y > 0.5: ${Object.entries(escapes).map(([k, v]) => `${k} ${v}`).join(", ")}`),
    ];
    const traj = (ts: Trajectory[], names: string[]): Series[] => ts.filter((t) => names.includes(t.method)).map((t) => ({ label: `${t.method} (lr ${t.lr})`, points: t.points, color: COLORS[t.method], dashed: t.method.includes("no bias") }));
    const bowlLevels = Array.from({ length: 12 }, (_, i) => f0 * 10 ** (-i / 3));
    const saddleLevels = Array.from({ length: 15 }, (_, i) => -0.25 + i * 0.12);
    const svg = figure([
      (w, h) => linePanel({ title: "ravine: SGD, momentum, Nesterov", x: { label: "x", domain: BOWL.domain.x }, y: { label: "y", domain: BOWL.domain.y }, series: traj(bowl, ["SGD", "momentum", "Nesterov"]), underlay: contourUnderlay(BOWL, bowlLevels) }, w, h),
      (w, h) => linePanel({ title: "ravine: AdaGrad, RMSProp, Adam", x: { label: "x", domain: BOWL.domain.x }, y: { label: "y", domain: BOWL.domain.y }, series: traj(bowl, ["AdaGrad", "RMSProp", "Adam", "Adam, no bias corr."]), underlay: contourUnderlay(BOWL, bowlLevels) }, w, h),
      (w, h) => linePanel({ title: "ravine: loss per step", x: { label: "step" }, y: { label: "f (log)", log: true }, series: bowl.map((t) => ({ label: t.method, points: t.loss.map((l, i) => [i, Math.max(l, 1e-12)] as const), color: COLORS[t.method], dashed: t.method.includes("no bias") })) }, w, h),
      (w, h) => linePanel({ title: "ravine: effective lr along x", x: { label: "step" }, y: { label: "|Δx|/|∂f/∂x| (log)", log: true }, series: bowl.filter((t) => ["AdaGrad", "RMSProp"].includes(t.method)).map((t) => ({ label: t.method, points: t.effectiveLr.map((v, i) => [i + 1, v] as const), color: COLORS[t.method] })) }, w, h),
      (w, h) => linePanel({ title: "saddle ½(x² − y²) + y⁴/4", x: { label: "x", domain: SADDLE.domain.x }, y: { label: "y", domain: SADDLE.domain.y }, series: traj(saddle, saddle.map((t) => t.method)), underlay: contourUnderlay(SADDLE, saddleLevels) }, w, h),
    ], {
      title: "Claim 5 — optimisers on an ill-conditioned bowl and a saddle",
      caption: `Bowl f = ½(0.2x² + 20y²) (condition number 100) from (−8, 1); saddle f = ½(x² − y²) + y⁴/4 from (−1.5, 0.001); ${steps} steps of each core optimiser's step() on exact gradients (deterministic, no seed). SGD, momentum and Nesterov each at their best rate of 10^(k/4), 1e-3…1, on the bowl (fewest steps to f ≤ 1e-3·f0); AdaGrad, RMSProp and Adam (with and without bias correction) at one untuned rate 0.1; the saddle reuses the bowl's rates. μ 0.9, ρ 0.99, β 0.9/0.999. Steps to f ≤ 1e-3·f0: ${Object.entries(reach).map(([k, v]) => `${k} ${v}`).join(", ")}. Adam's first step: ${adamFirst.toFixed(3)} corrected, ${rawFirst.toFixed(3)} uncorrected.`,
      columns: 3, panelWidth: 340, panelHeight: 270,
    });
    return {
      headline: `steps to 1e-3·f0: SGD ${reach.SGD}, momentum ${reach.momentum}, Nesterov ${reach.Nesterov}; uncorrected Adam's first step ${(rawFirst / adamFirst).toFixed(2)}× too large`,
      checks,
      numbers: {
        steps, target: r4(target), stepsToTarget: Object.fromEntries(Object.entries(reach).map(([k, v]) => [k, Number.isFinite(v) ? v : null])), sgdSignFlipShare: r4(flips),
        saddleStepsToEscape: Object.fromEntries(Object.entries(escapes).map(([k, v]) => [k, Number.isFinite(v) ? v : null])),
        adamFirstStep: { corrected: r4(adamFirst), uncorrected: r4(rawFirst) },
        lrGrid: LR_GRID,
        bowl: bowl.map((t) => ({ method: t.method, lr: t.lr, points: t.points.map(([x, y]) => [r4(x), r4(y)]), finalLoss: r4(t.loss[steps]) })),
        saddle: saddle.map((t) => ({ method: t.method, lr: t.lr, points: t.points.map(([x, y]) => [r4(x), r4(y)]) })),
      },
      svg,
      method: "core",
      seeds: [],
    };
  },
};

const COLORS: Record<string, string> = {
  SGD: "#1f77b4", momentum: "#d62728", Nesterov: "#2ca02c", AdaGrad: "#ff7f0e", RMSProp: "#9467bd", Adam: "#8c564b", "Adam, no bias corr.": "#e377c2",
};
