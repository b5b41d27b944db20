/**
 * Turns the core's TrainResult into what finishTrial stores. The trial's objective value is
 * computed here, once (`objectiveValue`); the scheduler ranks by the stored value. The stored
 * artifact is the core's model file (architecture, the train split's preprocessing, class
 * labels, parameters: what GET /v1/trials/:id/model serves and fine-tuning reads).
 */
import type { ClassLabel, Objective, StopReason, TrialConfig } from "@hps/contracts";
import { datasetShape, encodeModelFile, type DataSource } from "@hps/core";
import type { TrialOutcome } from "@hps/db";
import { diagnoseTrial, objectiveValue } from "@hps/search";
import type { TrainResult } from "./trainer.ts";

/** trial_artifacts.format of the core's model file ("HPSF" + version, see docs/model-format.md). */
export const ARTIFACT_FORMAT = "hps-model";
/** trial_artifacts.format of bare parameters (a stand-in trainer without preprocessing statistics). */
export const PARAMS_FORMAT = "hpsm";

/** An uploaded dataset's rows and labels, when the trial trained on one. */
export interface OutcomeData {
  source: DataSource;
  labels: ClassLabel[];
}

export function toOutcome(result: TrainResult, config: TrialConfig, objective: Objective, data?: OutcomeData): TrialOutcome {
  const status = result.status === "completed" ? "completed" : result.stopReason === "cancelled" ? "cancelled" : "stopped";
  const stopReason = status === "completed" ? null : (result.stopReason ?? null);
  const meta = data ? { rows: data.source.Y.length, inputShape: data.source.inputShape, classes: data.source.classes } : undefined;
  const classes = datasetShape(config.dataset, meta).classes;
  return {
    status,
    stopReason,
    metrics: result.metrics,
    curve: result.curve,
    objective: status === "completed" ? objectiveValue(result.metrics, objective) : null,
    diagnostics: diagnoseTrial({
      curve: result.curve,
      metrics: result.metrics,
      classes,
      loss: config.training.loss,
      status,
      stopReason: stopReason as StopReason | null,
    }),
    artifact: artifactOf(result, config, classes, data, meta),
  };
}

function artifactOf(result: TrainResult, config: TrialConfig, classes: number, data: OutcomeData | undefined, meta: Parameters<typeof datasetShape>[1]): TrialOutcome["artifact"] {
  if (result.params.byteLength === 0) return undefined;
  if (!result.preprocessing) return { format: PARAMS_FORMAT, data: result.params };
  // Built-in datasets' classes are their indices (spiral arm, mnist digit).
  const labels = data?.labels ?? Array.from({ length: classes }, (_, i) => String(i));
  const inputShape = datasetShape({ ...config.dataset, preprocess: "none" }, meta).inputShape;
  return {
    format: ARTIFACT_FORMAT,
    data: encodeModelFile({ model: config.model, inputShape, labels, preprocessing: result.preprocessing, params: result.params }),
  };
}
