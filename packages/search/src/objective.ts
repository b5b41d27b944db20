import type { EpochMetrics, Objective, ObjectiveMetric, TrialMetrics } from "@hps/contracts";

/**
 * The objective value of a finished trial, or null when the metric is missing
 * or not finite (such trials rank after all finite ones). `trainLoss` is the
 * trial's `finalLoss`.
 */
export function objectiveValue(metrics: TrialMetrics | null | undefined, objective: Pick<Objective, "metric">): number | null {
  if (!metrics) return null;
  const v = pickTrial(metrics, objective.metric);
  return finiteOrNull(v);
}

/** The objective value at one point of a learning curve, or null. */
export function curveValue(point: EpochMetrics, metric: ObjectiveMetric): number | null {
  return finiteOrNull(point[metric]);
}

/**
 * Orders two finite objective values best first: negative when `a` is better.
 * maximize: larger is better; minimize: smaller is better.
 */
export function compareObjective(a: number, b: number, goal: Objective["goal"]): number {
  return goal === "maximize" ? b - a : a - b;
}

/** Is `a` strictly worse than `b` under `goal`? */
export function isWorse(a: number, b: number, goal: Objective["goal"]): boolean {
  return goal === "maximize" ? a < b : a > b;
}

function pickTrial(m: TrialMetrics, metric: ObjectiveMetric): number | null {
  switch (metric) {
    case "valAccuracy":
      return m.valAccuracy;
    case "valLoss":
      return m.valLoss;
    case "trainAccuracy":
      return m.trainAccuracy;
    case "trainLoss":
      return m.finalLoss;
  }
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
