import { formatNumber as f } from "./narrower.ts";
import type { StopDecision, StopInput, StopRule } from "./stop-rule.ts";

export interface AshaStopRuleOptions {
  /** Epoch of the first rung (ASHA's minimum resource r). Default 1. */
  minEpochs?: number;
  /** η: a trial continues past a rung only in the top 1/η there; rungs at r·η^k. Default 3. */
  reductionFactor?: number;
  /**
   * The round's epochs (ASHA's maximum resource R): rungs lie strictly below it — a trial that
   * reached R has trained fully, and stopping it then would save nothing. Default: no limit.
   */
  maxEpochs?: number;
}

/**
 * Asynchronous successive halving (ASHA; Li et al. 2018, Optuna's
 * SuccessiveHalvingPruner). Decisions happen only at rung epochs r·η^k < R,
 * k = 0, 1, …: a trial reaching a rung continues when its value there is among
 * the top ⌊n/η⌋ (at least 1) of the n trials that have reported that epoch so
 * far, itself included; otherwise it is pruned. No waiting for a rung to fill:
 * early trials are judged against fewer others (the first one always goes on).
 * Between rungs it always continues. Stateless: the rung results are the
 * curves themselves (read from Postgres by the caller), so a restarted worker
 * or a retried trial makes the same call from the same curves.
 */
export class AshaStopRule implements StopRule {
  readonly minEpochs: number;
  readonly reductionFactor: number;
  readonly maxEpochs: number;

  constructor(options: AshaStopRuleOptions = {}) {
    const { minEpochs = 1, reductionFactor = 3, maxEpochs = Infinity } = options;
    if (!(Number.isInteger(minEpochs) && minEpochs >= 1)) throw new RangeError(`minEpochs must be an integer ≥ 1 (got ${minEpochs})`);
    if (!(Number.isInteger(reductionFactor) && reductionFactor >= 2)) throw new RangeError(`reductionFactor must be an integer ≥ 2 (got ${reductionFactor})`);
    if (!(maxEpochs === Infinity || (Number.isInteger(maxEpochs) && maxEpochs >= 1))) throw new RangeError(`maxEpochs must be an integer ≥ 1 (got ${maxEpochs})`);
    this.minEpochs = minEpochs;
    this.reductionFactor = reductionFactor;
    this.maxEpochs = maxEpochs;
  }

  /** The rung index of `epoch` (0-based), or null when `epoch` is not a rung. */
  rungOf(epoch: number): number | null {
    if (epoch >= this.maxEpochs) return null;
    let e = this.minEpochs;
    for (let k = 0; e <= epoch; k++, e *= this.reductionFactor) if (e === epoch) return k;
    return null;
  }

  /** The rung epochs below maxEpochs (below `limit` too, which bounds an unlimited rule). */
  rungs(limit = this.maxEpochs): number[] {
    const out: number[] = [];
    for (let e = this.minEpochs; e < Math.min(limit, this.maxEpochs); e *= this.reductionFactor) out.push(e);
    return out;
  }

  shouldPrune(input: StopInput): StopDecision {
    const epoch = input.curve.length;
    if (epoch === 0) return keep("no epoch reported yet");
    const rung = this.rungOf(epoch);
    if (rung === null) return keep(epoch >= this.maxEpochs ? `epoch ${epoch} is the round's last` : `epoch ${epoch} is not a rung`);
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
