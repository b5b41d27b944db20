import type { Optimizer, Param } from "../layer.ts";
import { momentumUpdate } from "../kernels/index.ts";
import { ParamState } from "./param-state.ts";

/**
 * Nesterov momentum in CS231n lecture 7's form (the change of variables that evaluates the
 * gradient at the current w instead of at the look-ahead point):
 *   v_prev = v;  v = μ·v − lr·g;  w += −μ·v_prev + (1 + μ)·v
 *
 * PyTorch's SGD(momentum=μ, nesterov=True) does b = μ·b + g; w −= lr·(g + μ·b). With constant
 * lr and v = −lr·b both give w += μ²·v_prev − (1 + μ)·lr·g: the same update.
 */
export class Nesterov implements Optimizer {
  private readonly state = new ParamState(1);

  constructor(readonly mu: number) {}

  step(params: readonly Param[], lr: number): void {
    const mu = this.mu;
    for (const p of params) {
      if (p.frozen) continue;
      const v = this.state.get(p)[0];
      const w = p.value;
      const g = p.grad;
      momentumUpdate(w, g, v, w.length, lr, mu, true);
    }
  }
}
