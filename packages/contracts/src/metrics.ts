import { z } from "zod";

/** Metrics of one epoch of one trial (a point of its learning curve). Losses include no L2 term. */
export const EpochMetrics = z.object({
  epoch: z.int().min(1),
  trainLoss: z.number().nullable(),
  valLoss: z.number().nullable(),
  trainAccuracy: z.number().nullable(),
  valAccuracy: z.number().nullable(),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

/** Final metrics of a trial. `initialLoss` is the loss of the first mini-batch before any update. */
export const TrialMetrics = z.object({
  initialLoss: z.number().nullable(),
  finalLoss: z.number().nullable(),
  trainAccuracy: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  valLoss: z.number().nullable(),
  epochs: z.int().min(0),
});
export type TrialMetrics = z.infer<typeof TrialMetrics>;
