import { PercentileStopRule, type PercentileStopRuleOptions } from "./percentile-stop-rule.ts";

/**
 * The median rule (Google Vizier's median stopping rule, Optuna's MedianPruner):
 * prune a trial whose best value so far is worse than the median of the other
 * trials at the same epoch. Exactly the percentile rule at 50.
 */
export class MedianStopRule extends PercentileStopRule {
  constructor(options: Omit<PercentileStopRuleOptions, "percentile"> = {}) {
    super({ ...options, percentile: 50 });
  }
}
