import type { Loss } from "../layer.ts";
import { arenaAddress } from "../kernels/arena.ts";
import { allocInt32, softmaxXent } from "../kernels/index.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { badLabel, checkScoreShape } from "./check-scores.ts";

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
  /** Arena copy of plain-array labels, so the kernel can read them (grown to the largest batch). */
  private labelCopy: Int32Array = new Int32Array(0);

  forward(scores: Float32Array, labels: Int32Array, batch: number, classes: number): number {
    checkScoreShape(this.kind, scores, labels, batch, classes);
    this.n = batch * classes;
    // Loss and gradient in one pass per row (WebAssembly kernel; twin softmaxXentRef, which also says
    // how the exps are taken: bit-identical to the formulas above with Math.exp and Math.log).
    let y = labels;
    if (arenaAddress(labels, 0) < 0) {
      if (this.labelCopy.length < batch) this.labelCopy = allocInt32(batch);
      y = this.labelCopy;
      if (labels.length === batch) y.set(labels);
      else for (let i = 0; i < batch; i++) y[i] = labels[i]!;
    }
    const total = softmaxXent(scores, y, batch, classes, this.grad.get(this.n));
    if (total < 0) {
      const row = -total - 1; // the kernel stops at the first label outside [0, classes)
      throw badLabel(this.kind, labels[row]!, row, classes);
    }
    return total / batch;
  }

  backward(): Float32Array {
    return this.grad.get(this.n);
  }
}
