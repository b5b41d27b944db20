import type { Loss } from "../layer.ts";
import { BatchBuffer } from "../layers/batch-buffer.ts";
import { checkScores } from "./check-scores.ts";

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
    checkScores(this.kind, scores, labels, batch, classes);
    this.n = batch * classes;
    const g = this.grad.get(this.n);
    const inv = 1 / batch;
    let total = 0;
    for (let i = 0, o = 0; i < batch; i++, o += classes) {
      let max = -Infinity;
      for (let j = 0; j < classes; j++) if (scores[o + j] > max) max = scores[o + j];
      let sum = 0;
      for (let j = 0; j < classes; j++) {
        const e = Math.exp(scores[o + j] - max);
        g[o + j] = e;
        sum += e;
      }
      const y = labels[i];
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
