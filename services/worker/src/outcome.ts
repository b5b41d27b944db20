/**
 * Turns the core's TrainResult into what finishTrial stores. The trial's objective value is
 * computed here, once (`objectiveValue`); the scheduler ranks by the stored value.
 */
import type { Objective, StopReason, TrialConfig } from "@hps/contracts";
import { datasetShape } from "@hps/core/checks";
import type { TrialOutcome } from "@hps/db";
import { diagnoseTrial, objectiveValue } from "@hps/search";
import type { TrainResult } from "./trainer.ts";

/** trial_artifacts.format of the core's serialised model (Sequential.serialize, "HPSM" + version). */
export const ARTIFACT_FORMAT = "hpsm";

export function toOutcome(result: TrainResult, config: TrialConfig, objective: Objective): TrialOutcome {
  const status = result.status === "completed" ? "completed" : result.stopReason === "cancelled" ? "cancelled" : "stopped";
  const stopReason = status === "completed" ? null : (result.stopReason ?? null);
  return {
    status,
    stopReason,
    metrics: result.metrics,
    curve: result.curve,
    objective: status === "completed" ? objectiveValue(result.metrics, objective) : null,
    diagnostics: diagnoseTrial({
      curve: result.curve,
      metrics: result.metrics,
      classes: datasetShape(config.dataset).classes,
      loss: config.training.loss,
      status,
      stopReason: stopReason as StopReason | null,
    }),
    artifact: result.params.byteLength > 0 ? { format: ARTIFACT_FORMAT, data: result.params } : undefined,
  };
}
