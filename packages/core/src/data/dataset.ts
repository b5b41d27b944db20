import type { PreprocessStats } from "./preprocess-stats.ts";
/**
 * A labelled dataset split into train and val. X is [n, ...inputShape] row-major float32
 * (images NCHW: mnist is [n, 1, 28, 28]); Y holds class indices in [0, classes).
 */
export interface Dataset {
  trainX: Float32Array;
  trainY: Int32Array;
  valX: Float32Array;
  valY: Int32Array;
  /** Per-sample shape, e.g. [2] for spiral, [1, 28, 28] for mnist, [k] after pca/whiten. */
  inputShape: number[];
  classes: number;
  /** What preprocessing learned from train (absent: none), for the model file. */
  preprocessing?: PreprocessStats;
}

/** Number of floats per sample. */
export function featureCount(ds: Pick<Dataset, "inputShape">): number {
  return ds.inputShape.reduce((a, b) => a * b, 1);
}

/** Gathers rows `idx[from..to)` of X ([n, dim]) and Y into new arrays. */
export function takeRows(
  X: Float32Array, Y: Int32Array, dim: number, idx: ArrayLike<number>, from: number, to: number,
): { X: Float32Array; Y: Int32Array } {
  const n = to - from;
  const outX = new Float32Array(n * dim);
  const outY = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = idx[from + i];
    outX.set(X.subarray(r * dim, (r + 1) * dim), i * dim);
    outY[i] = Y[r];
  }
  return { X: outX, Y: outY };
}
