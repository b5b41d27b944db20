import type { Loss as LossName } from "@hps/contracts";
import type { Loss } from "../layer.ts";
import { UnknownNameError } from "../unknown-name-error.ts";
import { MulticlassSvm } from "./multiclass-svm.ts";
import { SoftmaxCrossEntropy } from "./softmax-cross-entropy.ts";

/** Spec name → constructor of the loss. */
export const LOSSES: Readonly<Record<LossName, () => Loss>> = {
  softmax: () => new SoftmaxCrossEntropy(),
  svm: () => new MulticlassSvm(),
};

/** The loss named by `training.loss`. Throws UnknownNameError on an unknown name. */
export function createLoss(name: string): Loss {
  const ctor = Object.hasOwn(LOSSES, name) ? LOSSES[name as LossName] : undefined;
  if (!ctor) throw new UnknownNameError("loss", name, Object.keys(LOSSES));
  return ctor();
}
