import type { Objective, Space, TrialStatus } from "@hps/contracts";
import { ADVICE } from "./diagnose.ts";
import { formatNumber as f } from "./narrower.ts";
import { rankTrials } from "./rank.ts";
import { sortedPaths } from "./sampler.ts";

/** A trial as the search-level diagnosis sees it (immutable). */
export interface SearchDiagnoseTrial {
  readonly id: string;
  readonly status: TrialStatus;
  readonly params: Readonly<Record<string, unknown>>;
  readonly objective: number | null;
  /** The trial's own diagnostics (`diagnoseTrial`). */
  readonly diagnostics: readonly string[];
}

export interface SearchDiagnoseInput {
  /** The space the trials were sampled from (a round's space, or the spec's). */
  readonly space: Space;
  readonly trials: readonly SearchDiagnoseTrial[];
  readonly objective: Pick<Objective, "goal">;
}

/** A trial-level advice is reported for the search when at least this fraction of final trials carry it. */
export const SEARCH_ADVICE_FRACTION = 0.25;
/** The best trial is "at the edge" of a numeric range when in this outer fraction of it (log scale for loguniform). */
export const SEARCH_EDGE_FRACTION = 0.1;

/**
 * Babysitting at the level of a search (CS231n): how many trials diverged or
 * stalled (the learning-rate range is off), whether they overfit, and whether
 * the best trial sits on the edge of a range (the optimum may lie beyond it).
 * Pure; sentences in a fixed order.
 */
export function diagnoseSearch(input: SearchDiagnoseInput): string[] {
  const out: string[] = [];
  const final = input.trials.filter((t) => t.status !== "queued" && t.status !== "running");
  if (final.length === 0) return out;
  const completed = final.filter((t) => t.status === "completed" && typeof t.objective === "number" && Number.isFinite(t.objective));
  if (completed.length === 0) out.push(`none of ${final.length} finished trials completed with an objective value: read the trials' diagnostics`);

  const count = (advice: string) => final.filter((t) => t.diagnostics.some((d) => d.endsWith(advice))).length;
  const share = (k: number) => k > 0 && k >= SEARCH_ADVICE_FRACTION * final.length;
  const high = count(ADVICE.lrTooHigh);
  const low = count(ADVICE.lrTooLow);
  const over = count(ADVICE.overfitting);
  if (share(high)) {
    const where = divergedRegion(input.space, final, (t) => t.diagnostics.some((d) => d.endsWith(ADVICE.lrTooHigh)));
    out.push(`${high} of ${final.length} trials diverged (${ADVICE.lrTooHigh})${where}: lower the top of the learning-rate range`);
  }
  if (share(low)) out.push(`${low} of ${final.length} trials barely learned (${ADVICE.lrTooLow}): raise the bottom of the learning-rate range`);
  if (share(over)) out.push(`${over} of ${final.length} trials overfit: search stronger regularisation (l2, dropout) or use more data`);

  if (completed.length > 0) {
    const bestId = rankTrials(completed, input.objective)[0]!.id;
    const best = completed.find((t) => t.id === bestId)!;
    for (const path of sortedPaths(input.space)) {
      const d = input.space[path]!;
      const v = best.params[path];
      if (d.type === "choice" || typeof v !== "number" || !Number.isFinite(v)) continue;
      const log = d.type === "loguniform";
      if (log && !(v > 0)) continue;
      const t = (x: number) => (log ? Math.log(x) : x);
      const w = t(d.high) - t(d.low);
      const side = t(v) - t(d.low) < SEARCH_EDGE_FRACTION * w ? "lower" : t(d.high) - t(v) < SEARCH_EDGE_FRACTION * w ? "upper" : null;
      if (side)
        out.push(
          `best trial's ${path} (${f(v)}) is at the ${side} edge of [${f(d.low)}, ${f(d.high)}]: the optimum may lie beyond it, widen the range ${side === "lower" ? "downward" : "upward"}`,
        );
    }
  }
  return out;
}

/**
 * Where the diverged trials lay: "; all had <path> ≥ v" for the numeric
 * dimension whose diverged trials' smallest value v leaves the fewest other
 * trials at or above it (none, ideally; at most a quarter), "" when no
 * dimension separates them. Lower bounds only: divergence comes from steps too
 * large (learning rate, momentum), so the region is "above".
 */
function divergedRegion(space: Space, final: readonly SearchDiagnoseTrial[], diverged: (t: SearchDiagnoseTrial) => boolean): string {
  const bad = final.filter(diverged);
  const good = final.filter((t) => !diverged(t));
  let best: { path: string; v: number; k: number } | null = null;
  for (const path of sortedPaths(space)) {
    if (space[path]!.type === "choice") continue;
    const vals = bad.map((t) => t.params[path]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (vals.length < bad.length || vals.length === 0) continue;
    const v = Math.min(...vals);
    const k = good.filter((t) => typeof t.params[path] === "number" && (t.params[path] as number) >= v).length;
    if (!best || k < best.k) best = { path, v, k };
  }
  if (!best || best.k > 0.25 * good.length) return "";
  return `; all had ${best.path} ≥ ${f(best.v)}${best.k > 0 ? ` (as did ${best.k} of the ${good.length} that did not)` : ""}`;
}
