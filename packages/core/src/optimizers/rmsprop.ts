import type { Optimizer, Param } from "../layer.ts";
import { cacheUpdate } from "../kernels/index.ts";
import { ParamState } from "./param-state.ts";

/**
 * RMSProp (CS231n):  cache = ρ·cache + (1 − ρ)·g²;  w −= lr·g / (√cache + eps),  ρ = decay rate.
 * Same as torch.optim.RMSprop(lr, alpha=ρ, eps=eps) without momentum or centering
 * (PyTorch adds eps after the square root too).
 */
export class RmsProp implements Optimizer {
  private readonly state = new ParamState(1);

  constructor(readonly decay: number, readonly eps: number) {}

  step(params: readonly Param[], lr: number): void {
    const rho = this.decay;
    const eps = this.eps;
    for (const p of params) {
      if (p.frozen) continue;
      const cache = this.state.get(p)[0];
      const w = p.value;
      const g = p.grad;
      cacheUpdate(w, g, cache, w.length, lr, rho, 1 - rho, eps);
    }
  }
}
