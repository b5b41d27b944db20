import type { Pruner } from "@hps/contracts";
import { AshaStopRule } from "./asha-stop-rule.ts";
import { MedianStopRule } from "./median-stop-rule.ts";
import type { StopRule } from "./stop-rule.ts";

/**
 * The stop rule of a spec's `strategy.pruner` for a round whose trials train
 * `roundEpochs` epochs (ASHA's maximum resource; neither rule prunes a trial
 * at its last epoch, since stopping it then saves nothing).
 */
export function stopRuleFor(pruner: Pruner, roundEpochs: number): StopRule {
  switch (pruner.type) {
    case "median":
      return new MedianStopRule({ warmupEpochs: pruner.warmupEpochs, minTrials: pruner.minTrials, maxEpochs: roundEpochs });
    case "asha":
      return new AshaStopRule({ minEpochs: pruner.minEpochs, reductionFactor: pruner.reductionFactor, maxEpochs: roundEpochs });
  }
}
