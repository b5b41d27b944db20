import type { Optimizer, Param } from "../layer.ts";
import { sgdUpdate } from "../kernels/index.ts";

/** Vanilla SGD: w −= lr·g. Stateless. Identical to torch.optim.SGD without momentum. */
export class Sgd implements Optimizer {
  readonly needsClosure = false;

  step(params: readonly Param[], lr: number): void {
    for (const p of params) {
      if (p.frozen) continue;
      const w = p.value;
      const g = p.grad;
      sgdUpdate(w, g, w.length, lr);
    }
  }
}
