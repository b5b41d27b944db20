import { z } from "zod";
import { ClassLabel } from "./datasets.ts";

/** Most rows one predict request may carry (the body limit bounds the bytes too). */
export const MAX_PREDICT_ROWS = 10_000;

/** `POST /v1/trials/:id/predict`: raw feature rows, as in the CSV (the model applies its stored preprocessing). */
export const PredictRequest = z.strictObject({
  inputs: z.array(z.array(z.number())).min(1).max(MAX_PREDICT_ROWS),
});
export type PredictRequest = z.infer<typeof PredictRequest>;

export const PredictResponse = z.object({
  /** Class index per row (highest probability, first on ties). */
  predictions: z.array(z.int()),
  /** The class label of each prediction. */
  labels: z.array(ClassLabel),
  /** Softmax of the scores, [rows, classes]. */
  probabilities: z.array(z.array(z.number())),
});
export type PredictResponse = z.infer<typeof PredictResponse>;

export const EnsembleRequest = z.strictObject({
  /** Members: the k best-ranked trials that kept a model. */
  k: z.int().min(1).max(100).default(5),
});
export type EnsembleRequest = z.infer<typeof EnsembleRequest>;

export const EnsembleResponse = z.object({
  k: z.int(),
  /** Trial ids of the members, best rank first (fewer than k when fewer trials kept a model). */
  members: z.array(z.uuid()),
  /** Accuracy on the search's validation split of the mean of the members' predicted probabilities. */
  valAccuracy: z.number(),
  /** The best member's own accuracy on the same split. */
  bestSingleValAccuracy: z.number(),
});
export type EnsembleResponse = z.infer<typeof EnsembleResponse>;
