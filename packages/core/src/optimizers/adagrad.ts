import type { Optimizer, Param } from "../layer.ts";
import { cacheUpdate } from "../kernels/index.ts";
import { ParamState } from "./param-state.ts";

/**
 * AdaGrad (CS231n):  cache += g²;  w −= lr·g / (√cache + eps).
 * Same as torch.optim.Adagrad(lr, eps=eps) with lr_decay = 0 and initial_accumulator_value = 0
 * (PyTorch also adds eps after the square root).
 */
export class AdaGrad implements Optimizer {
  private readonly state = new ParamState(1);

  constructor(readonly eps: number) {}

  step(params: readonly Param[], lr: number): void {
    const eps = this.eps;
    for (const p of params) {
      if (p.frozen) continue;
      const cache = this.state.get(p)[0];
      const w = p.value;
      const g = p.grad;
      cacheUpdate(w, g, cache, w.length, lr, 1, 1, eps);
    }
  }
}
