import { CacheRule } from "./cache-rule.ts";

/**
 * AdaGrad (CS231n):  cache += g²;  w −= lr·g / (√cache + eps)  (CacheRule with decay = gain = 1).
 * Same as torch.optim.Adagrad(lr, eps=eps) with lr_decay = 0 and initial_accumulator_value = 0
 * (PyTorch also adds eps after the square root).
 */
export class AdaGrad extends CacheRule {
  constructor(eps: number) {
    super(1, 1, eps);
  }
}
