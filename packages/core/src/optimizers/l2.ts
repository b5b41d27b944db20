import { l2Grad } from "../kernels/index.ts";
import type { Param } from "../layer.ts";

/**
 * L2 regularisation (CS231n): loss += ½·l2·Σ W² over params with `decay` set (weights, not biases
 * or BN γ/β), and grad += l2·W. The gradient part equals PyTorch's `weight_decay = l2` on those
 * params, so the optimisers themselves stay free of regularisation.
 * Frozen params are skipped (they are not updated, and their penalty is a constant).
 * Call after backward (which overwrites grads) and before `Optimizer.step`.
 * Returns the penalty ½·l2·Σ W² (accumulated in float64).
 */
export function applyL2(params: readonly Param[], l2: number): number {
  if (l2 === 0) return 0;
  let sum = 0;
  for (const p of params) {
    if (!p.decay || p.frozen) continue;
    sum += l2Grad(p.value, p.grad, p.value.length, l2);
  }
  return 0.5 * l2 * sum;
}
