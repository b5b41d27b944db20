import type { Loss } from "../layer.ts";
import { BatchBuffer } from "../layers/batch-buffer.ts";
import { badLabel, checkScoreShape } from "./check-scores.ts";
import { expNonPositive } from "./exp-non-positive.ts";

/**
 * Softmax classifier loss (cross-entropy), mean over the batch, as PyTorch's
 * nn.CrossEntropyLoss on raw scores:  Lᵢ = −sᵢ,yᵢ + log Σⱼ exp(sᵢ,ⱼ),
 * dL/dsᵢ,ⱼ = (softmax(sᵢ)ⱼ − [j = yᵢ]) / batch.
 * Each row is shifted by its max before exp (CS231n's "numeric stability" trick), and the loss
 * is summed in float64, so large scores give a finite loss; NaN scores give NaN.
 * With small random weights the initial loss is ≈ log(classes) — the lecture's first sanity check.
 */
export class SoftmaxCrossEntropy implements Loss {
  readonly kind = "softmax";
  /** d(mean loss)/d(scores) of the last forward; a buffer of 1 float per "sample" = per score. */
  private readonly grad = new BatchBuffer(1);
  private n = 0;

  forward(scores: Float32Array, labels: Int32Array, batch: number, classes: number): number {
    checkScoreShape(this.kind, scores, labels, batch, classes);
    this.n = batch * classes;
    const g = this.grad.get(this.n);
    const inv = 1 / batch;
    let total = 0;
    // One pass per row over its `classes` scores: max, exps (into g), loss term, gradient in place.
    // Costs were per-call (Math.exp is a call into C): exp(s − max) of the max entry is exactly 1 and
    // is not computed, the others go through the inlinable expNonPositive (Math.exp's bits), and the
    // labels are checked here rather than in a separate pass. Results are bit-identical to the plain
    // formula: the same doubles are summed in the same order.
    for (let i = 0, o = 0; i < batch; i++, o += classes) {
      const y = labels[i];
      if (y < 0 || y >= classes) throw badLabel(this.kind, y, i, classes);
      let max = -Infinity;
      let argmax = -1;
      for (let j = 0; j < classes; j++) {
        const s = scores[o + j];
        if (s > max) {
          max = s;
          argmax = j;
        }
      }
      // With a non-finite max (±∞ scores, or all NaN) s − max is NaN or −∞ and no exp is exactly 1.
      if (!(max - max === 0)) argmax = -1;
      let sum = 0;
      for (let j = 0; j < classes; j++) {
        const e = j === argmax ? 1 : expNonPositive(scores[o + j] - max);
        g[o + j] = e;
        sum += e;
      }
      total += Math.log(sum) - (scores[o + y] - max);
      // Gradient of the mean: (p − onehot)/batch, with p = exp(s − max)/sum.
      const k = inv / sum;
      for (let j = 0; j < classes; j++) g[o + j] *= k;
      g[o + y] -= inv;
    }
    return total / batch;
  }

  backward(): Float32Array {
    return this.grad.get(this.n);
  }
}
