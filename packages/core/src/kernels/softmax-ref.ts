import { expNonPositive } from "./exp-non-positive.ts";

/** A product of row sums above this is logged and restarted (see softmaxXentRef). */
export const LOG_FLUSH = 2 ** 600;

/**
 * Softmax cross-entropy of a batch, forward and backward in one pass (the twin of the WebAssembly
 * softmaxXent kernel): scores [batch, classes] (offset 0), labels [batch] (must be in [0, classes);
 * at the first one outside, returns −(row + 1) having written the rows before it), and
 * grad[i, j] = (softmax(sᵢ)ⱼ − [j = yᵢ]) / batch, rounded to float32. Returns Σᵢ (log Σⱼ exp(sᵢⱼ − mᵢ)
 * − (sᵢ,yᵢ − mᵢ)) in float64 (mᵢ = the row max; the loss is this over batch), ≥ 0 or NaN.
 * exp(s − m) of the max entry is exactly 1 and is not computed; the others are expNonPositive
 * (Math.exp's bits), summed in float64 in order, so the gradient is bit-identical to the plain
 * formula. The logs are taken of products of consecutive rows' sums (each sum is in [1, classes], a
 * product is flushed into the total once it passes 2^600, far from overflow): one log per ~400 rows
 * of 3 classes instead of one per row, within ~batch·2^-53 relative of the per-row sum of logs.
 */
export function softmaxXentRef(
  scores: Float32Array, labels: Int32Array, batch: number, classes: number, grad: Float32Array,
): number {
  const inv = 1 / batch;
  let total = 0;
  let prod = 1;
  for (let i = 0, o = 0; i < batch; i++, o += classes) {
    const y = labels[i]!;
    if (y < 0 || y >= classes) return -(i + 1);
    let max = -Infinity;
    let argmax = -1;
    for (let j = 0; j < classes; j++) {
      const s = scores[o + j]!;
      if (s > max) {
        max = s;
        argmax = j;
      }
    }
    // With a non-finite max (±∞ scores, or all NaN) s − max is NaN or −∞ and no exp is exactly 1.
    if (!(max - max === 0)) argmax = -1;
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = j === argmax ? 1 : expNonPositive(scores[o + j]! - max);
      grad[o + j] = e;
      sum += e;
    }
    total -= scores[o + y]! - max;
    prod *= sum;
    if (prod > LOG_FLUSH) {
      total += Math.log(prod);
      prod = 1;
    }
    const k = inv / sum;
    for (let j = 0; j < classes; j++) grad[o + j]! *= k;
    grad[o + y]! -= inv;
  }
  return total + Math.log(prod);
}
