import type { TrainingConfig } from "@hps/contracts";
import type { Optimizer } from "../layer.ts";
import { UnknownNameError } from "../layers/registry.ts";
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
  "optimizer" | "momentum" | "rmsDecay" | "beta1" | "beta2" | "eps" | "lbfgsHistory" | "learningRate"
>;

/** A first-order rule (mini-batch `step(params, lr)`) or L-BFGS (full-batch, closure-driven). */
export type AnyOptimizer = Optimizer | Lbfgs;

const registry: Record<string, (t: OptimizerSpec) => AnyOptimizer> = {
  sgd: () => new Sgd(),
  momentum: (t) => new Momentum(t.momentum),
  nesterov: (t) => new Nesterov(t.momentum),
  adagrad: (t) => new AdaGrad(t.eps),
  rmsprop: (t) => new RmsProp(t.rmsDecay, t.eps),
  adam: (t) => new Adam(t.beta1, t.beta2, t.eps),
  // learningRate is L-BFGS's initial step length; the strong-Wolfe search adapts it.
  lbfgs: (t) => new Lbfgs({ history: t.lbfgsHistory, lr: t.learningRate, maxIter: 1 }),
};

/** The optimiser named by `training.optimizer`, configured from the same block. Throws on an unknown name. */
export function createOptimizer(training: OptimizerSpec): AnyOptimizer {
  const make = Object.hasOwn(registry, training.optimizer) ? registry[training.optimizer] : undefined;
  if (!make) throw new UnknownNameError("optimizer", training.optimizer, Object.keys(registry));
  return make(training);
}

/** Names createOptimizer accepts. */
export const optimizerNames: readonly string[] = Object.keys(registry);
