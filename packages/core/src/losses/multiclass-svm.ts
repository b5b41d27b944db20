import type { Loss } from "../layer.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkScores } from "./check-scores.ts";

/**
 * Multiclass SVM (hinge) loss of CS231n, mean over the batch:
 *   Lᵢ = Σ_{j≠yᵢ} max(0, sᵢ,ⱼ − sᵢ,yᵢ + Δ),  Δ = 1,
 * dL/dsᵢ,ⱼ = [margin > 0]/batch for j ≠ yᵢ and −(number of positive margins)/batch for yᵢ.
 * This is classes × PyTorch's nn.MultiMarginLoss(p=1, margin=1), which also divides by the
 * number of classes. A margin of exactly 0 contributes no gradient (PyTorch's rule too).
 * With small random weights the initial loss is ≈ classes − 1.
 */
export class MulticlassSvm implements Loss {
  readonly kind = "svm";
  /** d(mean loss)/d(scores) of the last forward; a buffer of 1 float per "sample" = per score. */
  private readonly grad = new BatchBuffer(1);
  private n = 0;

  constructor(readonly delta = 1) {}

  forward(scores: Float32Array, labels: Int32Array, batch: number, classes: number): number {
    checkScores(this.kind, scores, labels, batch, classes);
    this.n = batch * classes;
    const g = this.grad.get(this.n);
    const inv = 1 / batch;
    const delta = this.delta;
    let total = 0;
    for (let i = 0, o = 0; i < batch; i++, o += classes) {
      const y = labels[i];
      const sy = scores[o + y];
      let positive = 0;
      for (let j = 0; j < classes; j++) {
        if (j === y) continue;
        const margin = scores[o + j] - sy + delta;
        if (margin > 0) {
          total += margin;
          g[o + j] = inv;
          positive++;
        } else {
          g[o + j] = 0;
        }
      }
      g[o + y] = -positive * inv;
    }
    return total / batch;
  }

  backward(): Float32Array {
    return this.grad.get(this.n);
  }
}
