import type { Optimizer, Param } from "../layer.ts";

/** Vanilla SGD: w −= lr·g. Stateless. Identical to torch.optim.SGD without momentum. */
export class Sgd implements Optimizer {
  step(params: readonly Param[], lr: number): void {
    for (const p of params) {
      if (p.frozen) continue;
      const w = p.value;
      const g = p.grad;
      for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
    }
  }
}
