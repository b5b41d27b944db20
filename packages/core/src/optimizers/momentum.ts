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
 * Nesterov (nesterov.ts) is this class with the look-ahead update: one kernel serves both.
 */
export class Momentum implements Optimizer {
  readonly needsClosure = false;
  private readonly state = new ParamState(1);

  constructor(readonly mu: number, private readonly nesterov = false) {}

  step(params: readonly Param[], lr: number): void {
    for (const p of params) {
      if (p.frozen) continue;
      momentumUpdate(p.value, p.grad, this.state.get(p)[0], p.value.length, lr, this.mu, this.nesterov);
    }
  }
}
