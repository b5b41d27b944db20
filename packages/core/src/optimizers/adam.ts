import type { Optimizer, Param } from "../layer.ts";
import { adamUpdate } from "../kernels/index.ts";
import { ParamState } from "./param-state.ts";

/**
 * Adam with bias correction (CS231n lecture 7; Kingma & Ba):
 *   m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²
 *   m̂ = m / (1 − β1^t);      v̂ = v / (1 − β2^t)
 *   w −= lr·m̂ / (√v̂ + eps)
 * t counts the steps of each param (1 on its first step), like PyTorch's per-param `step`.
 * Same as torch.optim.Adam(lr, betas=(β1, β2), eps) (amsgrad off): PyTorch computes
 * (lr / (1 − β1^t))·m / (√v / √(1 − β2^t) + eps), the same expression rearranged.
 * biasCorrection = false drops m̂/v̂ (uses m and v as they are): only for showing the lecture's point
 * that the uncorrected first step is (1 − β1)/√(1 − β2) ≈ 3.16× too large (docs/experiments claim 5);
 * no trial config reaches it.
 */
export class Adam implements Optimizer {
  readonly needsClosure = false;
  private readonly state = new ParamState(2);
  private readonly steps = new Map<Param, number>();

  constructor(readonly beta1: number, readonly beta2: number, readonly eps: number, readonly biasCorrection = true) {}

  step(params: readonly Param[], lr: number): void {
    const { beta1: b1, beta2: b2, eps } = this;
    for (const p of params) {
      if (p.frozen) continue;
      const s = this.state.get(p);
      const m = s[0];
      const v = s[1];
      const t = (this.steps.get(p) ?? 0) + 1;
      this.steps.set(p, t);
      // WebAssembly SIMD kernel (float32 arithmetic); adamUpdateRef is its TypeScript twin.
      const c1 = this.biasCorrection ? 1 - b1 ** t : 1;
      const c2 = this.biasCorrection ? 1 - b2 ** t : 1;
      adamUpdate(p.value, p.grad, m, v, p.value.length, lr, b1, b2, eps, c1, c2);
    }
  }
}
