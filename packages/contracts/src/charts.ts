/**
 * The dashboard's chart data (issue 9): one point per trial as columns (not 100,000 JSON
 * objects), and the aggregates the server computes (parallel coordinates, importance).
 * Both carry the search's trial version as their ETag.
 */
import { z } from "zod";
import type { TrialStatus } from "./states.ts";

/** How a parameter's axis is drawn: log for log-uniform dimensions, categories for choices. */
export const AxisScale = z.enum(["linear", "log", "choice"]);
export type AxisScale = z.infer<typeof AxisScale>;

const num = z.number().nullable();

export const ParamColumn = z.object({
  /** Dotted path of the dimension in the spec's space. */
  path: z.string(),
  scale: AxisScale,
  /** One value per trial: the number, or for choices the index into `choices`; null when absent. */
  values: z.array(num),
  /** The choices (choice dimensions only), labelled as JSON text. */
  choices: z.array(z.string()).optional(),
});
export type ParamColumn = z.infer<typeof ParamColumn>;

/** GET /v1/searches/:id/points — one entry per trial in every array, same order (creation order). */
export const ChartPoints = z.object({
  searchId: z.uuid(),
  /** The objective's metric and goal, so the client labels and orders the axis. */
  objective: z.object({ metric: z.string(), goal: z.enum(["minimize", "maximize"]) }),
  n: z.int(),
  round: z.array(z.int()),
  index: z.array(z.int()),
  /** Index into `statuses`. */
  status: z.array(z.int()),
  statuses: z.array(z.string()),
  /** Index into `stopReasons`, or null when the trial has none. */
  stopReason: z.array(z.int().nullable()),
  stopReasons: z.array(z.string()),
  /** The stored objective (null unless completed with a finite value). */
  value: z.array(num),
  /** 1-based position in finish order; null while not final. */
  finishOrder: z.array(z.int().nullable()),
  trainAccuracy: z.array(num),
  valAccuracy: z.array(num),
  epochs: z.array(z.int()),
  params: z.array(ParamColumn),
});
export type ChartPoints = z.infer<typeof ChartPoints>;

export const ParallelAxis = z.object({
  /** A parameter's path, or "objective". */
  name: z.string(),
  scale: AxisScale,
  /** The axis range (for log axes, in the parameter's units); choices list the categories instead. */
  min: z.number().nullable(),
  max: z.number().nullable(),
  choices: z.array(z.string()).optional(),
});
export type ParallelAxis = z.infer<typeof ParallelAxis>;

/** Parallel coordinates, computed by the server: positions in [0, 1] per axis (null: no value). */
export const ParallelCoordinates = z.object({
  axes: z.array(ParallelAxis),
  /** One line per sampled trial: [position per axis]. The objective axis is the last one. */
  lines: z.array(z.array(num)),
  /** Per line: the trial's round and whether it is among the top 10% (for colour). */
  round: z.array(z.int()),
  top: z.array(z.boolean()),
  /** Per line: true when the trial has no finite objective (diverged, failed): drawn below the axis, never stretching it. */
  offAxis: z.array(z.boolean()),
  /** Lines drawn / trials with parameters (the server samples beyond maxLines). */
  sampled: z.int(),
  total: z.int(),
});
export type ParallelCoordinates = z.infer<typeof ParallelCoordinates>;

export const ParamImportance = z.object({
  path: z.string(),
  /** Share of the objective's variance explained by this parameter alone (normalised to sum to 1). */
  importance: z.number(),
});

/** GET /v1/searches/:id/analysis */
export const SearchAnalysis = z.object({
  searchId: z.uuid(),
  parallel: ParallelCoordinates,
  importance: z.object({
    /** How it was computed (and what that costs), in words. */
    method: z.string(),
    /** Completed trials it used. */
    trials: z.int(),
    params: z.array(ParamImportance),
  }),
});
export type SearchAnalysis = z.infer<typeof SearchAnalysis>;

/**
 * One trial as the chart computations read it (packages/db reads these rows; packages/search
 * turns them into ChartPoints and analyses). Not an HTTP body: the seam between the two.
 */
export interface ChartTrialRow {
  round: number;
  index: number;
  status: TrialStatus;
  stopReason: string | null;
  objective: number | null;
  trainAccuracy: number | null;
  valAccuracy: number | null;
  epochs: number;
  /** When it became final (ms since epoch), null while open. */
  finishedAt: number | null;
  params: Record<string, unknown>;
}
