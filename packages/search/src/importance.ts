import type { Distribution } from "@hps/contracts";
import { canonical } from "./canonical.ts";

/** A trial as importance sees it: its values and its place in the ranking (0 = best … 1 = worst). */
export interface ImportanceTrial {
  readonly params: Readonly<Record<string, unknown>>;
  /** Normalised rank in [0, 1]; diverged trials count as 1 (the worst). */
  readonly rank: number;
}

/**
 * How much the objective depends on one dimension, in [0, 1]: the share of the
 * variance of the trials' ranks explained by grouping them by the dimension —
 * by value for a choice, by equal-count bins of the (log for loguniform) value
 * for a numeric one (2 bins under 12 trials, 3 under 40, else 4) — adjusted for
 * chance: with B groups of N random values that share is (B − 1)/(N − 1) on
 * average, so importance = (share − that)/(1 − that), clipped at 0. Ranks, not
 * values, so one diverged trial or outlier does not dominate; bins, not a
 * correlation, so a peaked optimum (a learning rate) counts as much as a
 * monotone one. 0 when fewer than 4 trials have a value.
 */
export function importanceOf(path: string, dist: Distribution, trials: readonly ImportanceTrial[]): number {
  const groups = dist.type === "choice" ? choiceGroups(path, trials) : numericGroups(path, dist, trials);
  const all = groups.flat();
  const n = all.length;
  // Groups of one value each leave no within-group spread to compare against.
  if (n < 4 || groups.length < 2 || groups.length >= n) return 0;
  const mean = all.reduce((a, b) => a + b, 0) / n;
  let total = 0;
  for (const r of all) total += (r - mean) ** 2;
  if (total === 0) return 0;
  let between = 0;
  for (const g of groups) between += g.length * (g.reduce((a, b) => a + b, 0) / g.length - mean) ** 2;
  const chance = (groups.length - 1) / (n - 1);
  return Math.max(0, Math.min(1, (between / total - chance) / (1 - chance)));
}

function choiceGroups(path: string, trials: readonly ImportanceTrial[]): number[][] {
  const by = new Map<string, number[]>();
  for (const t of trials) {
    if (!(path in t.params)) continue;
    const k = canonical(t.params[path]);
    by.set(k, [...(by.get(k) ?? []), t.rank]);
  }
  return [...by.values()];
}

function numericGroups(path: string, dist: Exclude<Distribution, { type: "choice" }>, trials: readonly ImportanceTrial[]): number[][] {
  const pts = trials
    .map((t) => ({ v: t.params[path], r: t.rank }))
    .filter((p): p is { v: number; r: number } => typeof p.v === "number" && Number.isFinite(p.v) && (dist.type !== "loguniform" || p.v > 0))
    .sort((a, b) => a.v - b.v);
  const n = pts.length;
  const bins = n < 12 ? 2 : n < 40 ? 3 : 4;
  const out: number[][] = Array.from({ length: bins }, () => []);
  pts.forEach((p, i) => out[Math.min(bins - 1, Math.floor((i * bins) / n))]!.push(p.r));
  return out.filter((g) => g.length > 0);
}
