import type { TrainingConfig } from "@hps/contracts";
import type { Optimizer } from "../layer.ts";
import { UnknownNameError } from "../unknown-name-error.ts";
import { AdaGrad } from "./adagrad.ts";
import { Adam } from "./adam.ts";
import { Lbfgs } from "./lbfgs.ts";
import { Momentum } from "./momentum.ts";
import { Nesterov } from "./nesterov.ts";
import { RmsProp } from "./rmsprop.ts";
import { Sgd } from "./sgd.ts";

/** The settings an optimiser reads from a trial's `training` block. */
export type OptimizerSpec = Pick<
  TrainingConfig,
  "optimizer" | "momentum" | "rmsDecay" | "beta1" | "beta2" | "eps" | "lbfgsHistory"
>;

const registry: Record<string, (t: OptimizerSpec) => Optimizer> = {
  sgd: () => new Sgd(),
  momentum: (t) => new Momentum(t.momentum),
  nesterov: (t) => new Nesterov(t.momentum),
  adagrad: (t) => new AdaGrad(t.eps),
  rmsprop: (t) => new RmsProp(t.rmsDecay, t.eps),
  adam: (t) => new Adam(t.beta1, t.beta2, t.eps),
  // One iteration per step (= per epoch); the trainer passes learningRate (scheduled) as the initial step length.
  lbfgs: (t) => new Lbfgs({ history: t.lbfgsHistory, maxIter: 1 }),
};

/** The optimiser named by `training.optimizer`, configured from the same block. Throws on an unknown name. */
export function createOptimizer(training: OptimizerSpec): Optimizer {
  const make = Object.hasOwn(registry, training.optimizer) ? registry[training.optimizer] : undefined;
  if (!make) throw new UnknownNameError("optimizer", training.optimizer, Object.keys(registry));
  return make(training);
}
