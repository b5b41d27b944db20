import type { Optimizer, Param } from "../layer.ts";
import { cacheUpdate } from "../kernels/index.ts";
import { ParamState } from "./param-state.ts";

/**
 * The per-parameter adaptive rule AdaGrad and RMSProp share (CS231n lecture 7):
 *   cache = decay·cache + gain·g²;  w −= lr·g / (√cache + eps)
 * with one zeroed cache per param. The subclasses only choose decay and gain.
 */
export abstract class CacheRule implements Optimizer {
  readonly needsClosure = false;
  private readonly state = new ParamState(1);

  protected constructor(private readonly decayRate: number, private readonly gain: number, readonly eps: number) {}

  step(params: readonly Param[], lr: number): void {
    for (const p of params) {
      if (p.frozen) continue;
      cacheUpdate(p.value, p.grad, this.state.get(p)[0], p.value.length, lr, this.decayRate, this.gain, this.eps);
    }
  }
}
