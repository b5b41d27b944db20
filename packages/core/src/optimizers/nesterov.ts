import { Momentum } from "./momentum.ts";

/**
 * Nesterov momentum in CS231n lecture 7's form (the change of variables that evaluates the
 * gradient at the current w instead of at the look-ahead point):
 *   v_prev = v;  v = μ·v − lr·g;  w += −μ·v_prev + (1 + μ)·v
 *
 * PyTorch's SGD(momentum=μ, nesterov=True) does b = μ·b + g; w −= lr·(g + μ·b). With constant
 * lr and v = −lr·b both give w += μ²·v_prev − (1 + μ)·lr·g: the same update.
 * Same state and loop as Momentum; only the kernel's update formula differs.
 */
export class Nesterov extends Momentum {
  constructor(mu: number) {
    super(mu, true);
  }
}
