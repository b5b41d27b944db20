import type { Preprocess } from "@hps/contracts";

/**
 * What a preprocessing method learned from the training split, enough to apply it to any rows
 * later (val here; a downloaded model's inputs, see model/model-file.ts):
 *   out = ((x − mean) · scale) for zero_center / normalize (scale all 1 for zero_center),
 *   out = (x − mean) · projection ([D, k] row-major) for pca / whiten (whiten's 1/√λ is in it).
 * mean and scale are float64, as they were computed.
 */
export interface PreprocessStats {
  method: Preprocess;
  /** Raw features per sample (D). */
  inputFeatures: number;
  mean: Float64Array | null;
  scale: Float64Array | null;
  projection: Float32Array | null;
  /** Per-sample shape of the output: the input shape, or [k] after pca/whiten. */
  outShape: number[];
}

