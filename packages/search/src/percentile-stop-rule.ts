import { isWorse } from "./objective.ts";
import type { StopDecision, StopInput, StopRule } from "./stop-rule.ts";
import { formatNumber as f } from "./narrower.ts";

export interface PercentileStopRuleOptions {
  /**
   * 0–100. A trial is pruned when its best value so far is worse than this
   * percentile of the others at the same epoch, counted from the good end:
   * 25 keeps only trials in the top quarter, 50 is the median rule, 75 prunes
   * only the bottom quarter. Required.
   */
  percentile: number;
  /** Never prune at or before this epoch (Optuna's n_warmup_steps). Default 0. */
  warmupEpochs?: number;
  /** Never prune while fewer other trials have a value at this epoch (like Optuna's n_startup_trials). Default 5. */
  minTrials?: number;
  /** The round's epochs: never prune at or after it (the trial has trained fully; stopping saves nothing). Default: no limit. */
  maxEpochs?: number;
}

/**
 * Optuna's PercentilePruner: prune when the trial's best value so far is
 * strictly worse than the given percentile of the other trials' values at the
 * same epoch (linear interpolation between order statistics, as numpy's
 * percentile). A trial with no finite value at all after warm-up is pruned.
 */
export class PercentileStopRule implements StopRule {
  readonly percentile: number;
  readonly warmupEpochs: number;
  readonly minTrials: number;
  readonly maxEpochs: number;

  constructor(options: PercentileStopRuleOptions) {
    const { percentile, warmupEpochs = 0, minTrials = 5, maxEpochs = Infinity } = options;
    if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`percentile must be in [0, 100] (got ${percentile})`);
    if (!(Number.isInteger(warmupEpochs) && warmupEpochs >= 0)) throw new RangeError(`warmupEpochs must be an integer ≥ 0 (got ${warmupEpochs})`);
    if (!(Number.isInteger(minTrials) && minTrials >= 1)) throw new RangeError(`minTrials must be an integer ≥ 1 (got ${minTrials})`);
    if (!(maxEpochs === Infinity || (Number.isInteger(maxEpochs) && maxEpochs >= 1))) throw new RangeError(`maxEpochs must be an integer ≥ 1 (got ${maxEpochs})`);
    this.percentile = percentile;
    this.warmupEpochs = warmupEpochs;
    this.minTrials = minTrials;
    this.maxEpochs = maxEpochs;
  }

  shouldPrune(input: StopInput): StopDecision {
    const epoch = input.curve.length;
    if (epoch === 0) return keep("no epoch reported yet");
    if (epoch <= this.warmupEpochs) return keep(`epoch ${epoch} is within the warm-up of ${this.warmupEpochs} epochs`);
    if (epoch >= this.maxEpochs) return keep(`epoch ${epoch} is the round's last`);
    const others = input.others.map((c) => c[epoch - 1]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (others.length < this.minTrials) return keep(`only ${others.length} other trials reached epoch ${epoch} (need ${this.minTrials})`);
    const finite = input.curve.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (finite.length === 0) return { prune: true, reason: `no finite objective value in ${epoch} epochs` };
    const best = input.goal === "maximize" ? Math.max(...finite) : Math.min(...finite);
    // Percentile counted from the good end: the top p% for maximize is above the (100 − p)th percentile.
    const q = input.goal === "maximize" ? 100 - this.percentile : this.percentile;
    const threshold = percentileOf(others, q);
    const where = `the ${ordinal(this.percentile)} percentile (${f(threshold)}) of ${others.length} other trials at epoch ${epoch}`;
    return isWorse(best, threshold, input.goal)
      ? { prune: true, reason: `best objective so far ${f(best)} is worse than ${where}` }
      : keep(`best objective so far ${f(best)} is not worse than ${where}`);
  }
}

function keep(reason: string): StopDecision {
  return { prune: false, reason };
}

/** numpy.percentile with linear interpolation; q in [0, 100]; xs non-empty. */
export function percentileOf(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

function ordinal(p: number): string {
  if (!Number.isInteger(p)) return `${p}th`;
  const t = p % 100;
  if (t >= 11 && t <= 13) return `${p}th`;
  return `${p}${["th", "st", "nd", "rd"][p % 10] ?? "th"}`;
}
