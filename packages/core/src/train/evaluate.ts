import { countCorrect } from "../kernels/index.ts";
import type { Loss } from "../layer.ts";
import type { Sequential } from "../model/sequential.ts";

/** Rows of a batch whose highest score (first one on ties) is the label (WebAssembly; twin countCorrectRef). */
export { countCorrect } from "../kernels/index.ts";

/** Chunk size of evaluation passes: bounds activation memory, and sgemm works well on it. */
export const EVAL_CHUNK = 500;

/**
 * Mean data loss (no L2) and accuracy of the model on X [n, dim], Y [n], in evaluation mode
 * (batch-norm running statistics, no dropout), in chunks of EVAL_CHUNK rows.
 * Returns NaN loss if any chunk's loss is not finite.
 */
export function evaluate(
  model: Sequential, loss: Loss, X: Float32Array, Y: Int32Array, dim: number, classes: number,
): { loss: number; accuracy: number } {
  const n = Y.length;
  let total = 0;
  let correct = 0;
  for (let s = 0; s < n; s += EVAL_CHUNK) {
    const b = Math.min(EVAL_CHUNK, n - s);
    const x = X.subarray(s * dim, (s + b) * dim);
    const y = Y.subarray(s, s + b);
    const scores = model.forward(x, b, false);
    total += loss.forward(scores, y, b, classes) * b;
    correct += countCorrect(scores, y, b, classes);
  }
  return { loss: total / n, accuracy: correct / n };
}

/** JSON-safe metric: the number when finite, else null. */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x !== null && x !== undefined && Number.isFinite(x) ? x : null;
}
