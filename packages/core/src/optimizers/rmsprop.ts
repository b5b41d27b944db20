import { CacheRule } from "./cache-rule.ts";

/**
 * RMSProp (CS231n):  cache = ρ·cache + (1 − ρ)·g²;  w −= lr·g / (√cache + eps),  ρ = decay rate
 * (CacheRule with decay ρ, gain 1 − ρ).
 * Same as torch.optim.RMSprop(lr, alpha=ρ, eps=eps) without momentum or centering
 * (PyTorch adds eps after the square root too).
 */
export class RmsProp extends CacheRule {
  constructor(readonly decay: number, eps: number) {
    super(decay, 1 - decay, eps);
  }
}
