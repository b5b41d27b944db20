import type { ChoiceDist, Distribution } from "@hps/contracts";
import { formatNumber as f, keptCount, narrowEachPath, type NarrowInput, type NarrowResult, type NarrowTrial, type Narrower } from "./narrower.ts";
import { canonical } from "./canonical.ts";
import { furthest, roundOut } from "./range-bounds.ts";

export interface TopFractionNarrowerOptions {
  /** Margin added on each side of the kept trials' span, as a fraction of the previous range width (log width for loguniform). Default 0.1. */
  marginFraction?: number;
  /** The best trial is "at the edge" when it lies in this outer fraction of the range. Default 0.1 (CS231n's warning about optima on the range's edge). */
  edgeFraction?: number;
}

type NumericDist = Exclude<Distribution, ChoiceDist>;

/**
 * Keeps the top ⌈keepFraction·n⌉ trials; for each numeric dimension the new
 * range is the span of their values widened by `marginFraction` of the previous
 * width on each side (in log space for loguniform), clipped to the previous
 * range, with bounds rounded outward to 3 significant digits so kept values stay
 * inside. When the BEST trial lies in the outer `edgeFraction` of a range, that
 * side is extended by one previous range-width instead (log space for
 * loguniform) — the optimum may lie beyond it — as far as `accepts` allows.
 * Choice dimensions keep the values (in their original order) that appear among
 * the kept trials. Grid `points` carry over.
 */
export class TopFractionNarrower implements Narrower {
  private readonly margin: number;
  private readonly edge: number;

  constructor(options: TopFractionNarrowerOptions = {}) {
    this.margin = options.marginFraction ?? 0.1;
    this.edge = options.edgeFraction ?? 0.1;
    if (!(this.margin >= 0 && this.margin <= 1)) throw new RangeError(`marginFraction must be in [0, 1] (got ${options.marginFraction})`);
    if (!(this.edge >= 0 && this.edge < 0.5)) throw new RangeError(`edgeFraction must be in [0, 0.5) (got ${options.edgeFraction})`);
  }

  narrow(input: NarrowInput): NarrowResult {
    const n = input.trials.length;
    const k = keptCount(n, input.keepFraction);
    const kept = input.trials.slice(0, k);
    return narrowEachPath(input, k, (path, dist) =>
      dist.type === "choice" ? this.narrowChoice(path, dist, kept, n) : this.narrowNumeric(path, dist, kept, n, input.accepts ?? (() => true)),
    );
  }

  private narrowChoice(path: string, dist: ChoiceDist, kept: readonly NarrowTrial[], n: number): [Distribution, string] {
    const seen = new Set(kept.filter((t) => path in t.params).map((t) => canonical(t.params[path])));
    const values = dist.values.filter((v) => seen.has(canonical(v)));
    const top = `the top ${kept.length} of ${n} trials`;
    if (values.length === 0) return [structuredClone(dist), `${path} unchanged: none of ${top} has one of its values`];
    if (values.length === dist.values.length)
      return [structuredClone(dist), values.length === 1 ? `${path} unchanged: its only value appears among ${top}` : `${path} unchanged: all ${values.length} values appear among ${top}`];
    const shown = values.map((v) => JSON.stringify(v)).join(", ");
    return [{ type: "choice", values: structuredClone(values) }, `${path} kept ${values.length} of ${dist.values.length} values (${shown}) seen among ${top}`];
  }

  private narrowNumeric(
    path: string,
    dist: NumericDist,
    kept: readonly NarrowTrial[],
    n: number,
    accepts: (path: string, value: number) => boolean,
  ): [Distribution, string] {
    const log = dist.type === "loguniform";
    const int = dist.type === "int";
    const to = (x: number) => (log ? Math.log(x) : x);
    const from = (x: number) => (log ? Math.exp(x) : x);
    const values = kept.map((t) => t.params[path]).filter((v): v is number => typeof v === "number" && Number.isFinite(v) && (!log || v > 0));
    const top = `the top ${kept.length} of ${n} trials`;
    if (values.length === 0) return [structuredClone(dist), `${path} unchanged: none of ${top} has a numeric value`];
    const vMin = Math.min(...values);
    const vMax = Math.max(...values);

    // All range arithmetic in transformed space (log for loguniform): L, H the previous bounds, W its width.
    const L = to(dist.low);
    const H = to(dist.high);
    const W = H - L;
    let lo = Math.max(L, to(vMin) - this.margin * W);
    let hi = Math.min(H, to(vMax) + this.margin * W);
    const bestRaw = kept[0]!.params[path];
    // The edge rule looks at the single best trial; a missing value never counts as at an edge.
    const best = typeof bestRaw === "number" && Number.isFinite(bestRaw) && (!log || bestRaw > 0) ? to(bestRaw) : Number.NaN;
    const snap = (x: number) => (int ? Math.round(x) : x);
    const ok = (x: number) => Number.isFinite(from(x)) && accepts(path, snap(from(x)));
    let edge: "lower" | "upper" | null = null;
    let widened = false;
    if (best - L < this.edge * W) {
      edge = "lower";
      lo = furthest(L, L - W, ok);
      widened = lo < L;
    } else if (H - best < this.edge * W) {
      edge = "upper";
      hi = furthest(H, H + W, ok);
      widened = hi > H;
    }

    let low: number;
    let high: number;
    if (int) {
      // ±1e-9 absorbs float error so 40.000000001 does not become 41.
      low = Math.min(Math.floor(from(lo) + 1e-9), Math.floor(vMin));
      high = Math.max(Math.ceil(from(hi) - 1e-9), Math.ceil(vMax));
      if (edge === "lower" && widened && !accepts(path, low)) low = Math.ceil(from(lo));
      if (edge === "upper" && widened && !accepts(path, high)) high = Math.floor(from(hi));
      low = Math.max(low, widened && edge === "lower" ? -Infinity : dist.low);
      high = Math.min(high, widened && edge === "upper" ? Infinity : dist.high);
      if (low >= high) [low, high] = high + 1 <= dist.high ? [low, high + 1] : [low - 1, high];
    } else {
      // Readable bounds: rounded outward to 3 significant digits, never past a kept value,
      // never outside the previous range unless widened, never onto a value `accepts` rejects.
      low = roundOut(from(lo), "down", widened && edge === "lower" ? dist.low : vMin);
      high = roundOut(from(hi), "up", widened && edge === "upper" ? dist.high : vMax);
      if (widened && edge === "lower") {
        if (!accepts(path, low) || (log && !(low > 0))) low = from(lo);
      } else low = Math.max(low, dist.low);
      if (widened && edge === "upper") {
        if (!accepts(path, high)) high = from(hi);
      } else high = Math.min(high, dist.high);
      if (!(low < high)) [low, high] = [from(lo), from(hi)];
    }
    const next: Distribution = { ...structuredClone(dist), low, high };
    const range = `[${f(low)}, ${f(high)}]`;
    const at = `best of ${top} at ${f(bestRaw as number)}`;
    if (edge === "lower")
      return widened
        ? [next, `${path}: best values at the lower edge of the range: widened downward to ${range} (${at})`]
        : [next, `${path}: best values at the lower edge of the range, but ${f(dist.low)} is the lowest valid value: ${range} (${at})`];
    if (edge === "upper")
      return widened
        ? [next, `${path}: best values at the upper edge of the range: widened upward to ${range} (${at})`]
        : [next, `${path}: best values at the upper edge of the range, but ${f(dist.high)} is the highest valid value: ${range} (${at})`];
    if (low === dist.low && high === dist.high) return [next, `${path} unchanged at ${range}: ${top} span the whole range`];
    return [next, `${path} narrowed to ${range} around ${top}`];
  }
}
