/**
 * Parallel coordinates computed by the server: each trial's position in [0, 1] on each
 * parameter's axis (log axes for log-uniform dimensions, evenly spaced categories for
 * choices) and on the objective's axis, for at most `maxLines` trials (all of the top 10%
 * by objective first, then an even stride over the rest; deterministic).
 *
 * The objective axis spans the completed trials' values between their 1st and 99th
 * percentiles (when there are 100 or more): a diverged trial has no objective and is drawn
 * off the axis (`offAxis`), and a few outliers are clamped to its ends — neither squashes
 * the axis (optuna-dashboard#199).
 */
import type { ChartPoints, ParallelAxis, ParallelCoordinates } from "@hps/contracts";

export function parallelCoordinates(points: ChartPoints, maxLines = 1500): ParallelCoordinates {
  const maximize = points.objective.goal === "maximize";
  const withParams = range(points.n).filter((i) => points.params.some((c) => c.values[i] !== null));
  const scored = withParams.filter((i) => points.value[i] !== null).sort((a, b) => (maximize ? points.value[b]! - points.value[a]! : points.value[a]! - points.value[b]!));
  const topCount = Math.ceil(scored.length * 0.1);
  const top = new Set(scored.slice(0, topCount));
  const chosen = pick(withParams, top, maxLines);

  const axes: ParallelAxis[] = points.params.map((c) => {
    if (c.scale === "choice") return { name: c.path, scale: "choice", min: null, max: null, choices: c.choices ?? [] };
    const vs = c.values.filter((v): v is number => v !== null && (c.scale !== "log" || v > 0));
    return { name: c.path, scale: c.scale, min: vs.length ? minMax(vs)[0] : null, max: vs.length ? minMax(vs)[1] : null };
  });
  const objVals = scored.map((i) => points.value[i]!).sort((a, b) => a - b);
  const [lo, hi] = objVals.length >= 100 ? [quantile(objVals, 0.01), quantile(objVals, 0.99)] : objVals.length ? [objVals[0]!, objVals[objVals.length - 1]!] : [null, null];
  axes.push({ name: "objective", scale: "linear", min: lo, max: hi });

  const lines = chosen.map((i) => [
    ...points.params.map((c, k) => position(c.values[i] ?? null, axes[k]!)),
    points.value[i] === null ? null : position(points.value[i]!, axes[axes.length - 1]!),
  ]);
  return {
    axes,
    lines,
    round: chosen.map((i) => points.round[i]!),
    top: chosen.map((i) => top.has(i)),
    offAxis: chosen.map((i) => points.value[i] === null),
    sampled: chosen.length,
    total: withParams.length,
  };
}

/** Position in [0, 1] on an axis (clamped); null when the value is absent or the axis has no range. */
function position(v: number | null, axis: ParallelAxis): number | null {
  if (v === null) return null;
  if (axis.scale === "choice") {
    const n = axis.choices?.length ?? 0;
    return n <= 1 ? 0.5 : v / (n - 1);
  }
  if (axis.min === null || axis.max === null) return null;
  const f = axis.scale === "log" ? Math.log : (x: number) => x;
  if (axis.scale === "log" && v <= 0) return null;
  const span = f(axis.max) - f(axis.min);
  if (span === 0) return 0.5;
  return Math.min(1, Math.max(0, (f(v) - f(axis.min)) / span));
}

function pick(all: number[], top: Set<number>, maxLines: number): number[] {
  if (all.length <= maxLines) return all;
  const topList = all.filter((i) => top.has(i)).slice(0, Math.ceil(maxLines / 2));
  const rest = all.filter((i) => !top.has(i));
  const room = maxLines - topList.length;
  const stride = rest.length / room;
  const sampled = range(Math.min(room, rest.length)).map((k) => rest[Math.floor(k * stride)]!);
  return [...topList, ...sampled].sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function minMax(vs: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vs) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
