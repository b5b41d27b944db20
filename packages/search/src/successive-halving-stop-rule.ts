import { formatNumber as f } from "./narrower.ts";
import type { StopDecision, StopInput, StopRule } from "./stop-rule.ts";

export interface SuccessiveHalvingStopRuleOptions {
  /** Epoch of the first rung (ASHA's minimum resource r). Default 1. */
  minEpochs?: number;
  /** η: each rung keeps the top 1/η of the trials that reached it; rungs at r·η^(s+k). Default 3. */
  reductionFactor?: number;
  /** s: skips the first s rungs (more epochs before the first cut). Default 0. */
  minEarlyStoppingRate?: number;
}

/**
 * Asynchronous successive halving (ASHA; Li et al. 2018, Optuna's
 * SuccessiveHalvingPruner). Decisions happen only at rung epochs
 * r·η^(s+k), k = 0, 1, …: a trial reaching a rung continues when its value
 * there is among the top ⌊n/η⌋ (at least 1) of the n trials that have a value
 * at that epoch, itself included; otherwise it is pruned. Between rungs it
 * always continues. Stateless: the rung results are the curves themselves.
 */
export class SuccessiveHalvingStopRule implements StopRule {
  readonly minEpochs: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;

  constructor(options: SuccessiveHalvingStopRuleOptions = {}) {
    const { minEpochs = 1, reductionFactor = 3, minEarlyStoppingRate = 0 } = options;
    if (!(Number.isInteger(minEpochs) && minEpochs >= 1)) throw new RangeError(`minEpochs must be an integer ≥ 1 (got ${minEpochs})`);
    if (!(Number.isInteger(reductionFactor) && reductionFactor >= 2)) throw new RangeError(`reductionFactor must be an integer ≥ 2 (got ${reductionFactor})`);
    if (!(Number.isInteger(minEarlyStoppingRate) && minEarlyStoppingRate >= 0))
      throw new RangeError(`minEarlyStoppingRate must be an integer ≥ 0 (got ${minEarlyStoppingRate})`);
    this.minEpochs = minEpochs;
    this.reductionFactor = reductionFactor;
    this.minEarlyStoppingRate = minEarlyStoppingRate;
  }

  /** The rung index of `epoch` (0-based), or null when `epoch` is not a rung. */
  rungOf(epoch: number): number | null {
    let e = this.minEpochs * this.reductionFactor ** this.minEarlyStoppingRate;
    for (let k = 0; e <= epoch; k++, e *= this.reductionFactor) if (e === epoch) return k;
    return null;
  }

  shouldPrune(input: StopInput): StopDecision {
    const epoch = input.curve.length;
    if (epoch === 0) return keep("no epoch reported yet");
    const rung = this.rungOf(epoch);
    if (rung === null) return keep(`epoch ${epoch} is not a rung`);
    const others = input.others.map((c) => c[epoch - 1]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (others.length === 0) return keep(`no other trial reached rung ${rung} (epoch ${epoch})`);
    const own = input.curve[epoch - 1];
    if (typeof own !== "number" || !Number.isFinite(own)) return { prune: true, reason: `no finite objective value at rung ${rung} (epoch ${epoch})` };
    const n = others.length + 1;
    const promotable = Math.max(1, Math.floor(n / this.reductionFactor));
    // 1-based position among the n; ties resolved in the trial's favour.
    const position = 1 + others.filter((v) => (input.goal === "maximize" ? v > own : v < own)).length;
    const where = `${f(own)} is number ${position} of ${n} trials at rung ${rung} (epoch ${epoch}); the top ${promotable} continue`;
    return position > promotable ? { prune: true, reason: where } : keep(where);
  }
}

function keep(reason: string): StopDecision {
  return { prune: false, reason };
}
