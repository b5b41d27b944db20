import type { Optimizer, Param } from "../layer.ts";
import { momentumUpdate } from "../kernels/index.ts";
import { ParamState } from "./param-state.ts";

/**
 * SGD with momentum in CS231n's form:  v = μ·v − lr·g;  w += v   (v starts at 0).
 *
 * PyTorch's SGD(momentum=μ) keeps b = μ·b + g and does w −= lr·b. With a constant lr the two
 * are the same trajectory (v = −lr·b at every step). They differ only when lr changes: here the
 * velocity carries the old lr's scale, in PyTorch the new lr rescales the whole accumulated b.
 * The parity test therefore uses a constant lr.
 */
export class Momentum implements Optimizer {
  private readonly state = new ParamState(1);

  constructor(readonly mu: number) {}

  step(params: readonly Param[], lr: number): void {
    const mu = this.mu;
    for (const p of params) {
      if (p.frozen) continue;
      const v = this.state.get(p)[0];
      const w = p.value;
      const g = p.grad;
      momentumUpdate(w, g, v, w.length, lr, mu, false);
    }
  }
}
