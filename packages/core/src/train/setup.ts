import type { TrialConfig } from "@hps/contracts";
import { Augmenter } from "../data/augment.ts";
import { checkDataset, InvalidTrialConfigError } from "../data/check.ts";
import { type Dataset, featureCount } from "../data/dataset.ts";
import type { DataSource } from "../data/uploaded.ts";
import type { Loss } from "../layer.ts";
import { createLoss } from "../losses/registry.ts";
import { buildModel } from "../model/build-model.ts";
import type { Sequential } from "../model/sequential.ts";
import { Rng } from "../rng.ts";
import { loadForFineTuning } from "./fine-tune.ts";

/** Everything one trial trains with, derived from its config. */
export interface TrialSetup {
  data: Dataset;
  /** Floats per sample. */
  dim: number;
  model: Sequential;
  loss: Loss;
  /** Data order (mini-batch shuffling). */
  orderRng: Rng;
  /** Augmentation of training batches, or null (non-image data, or nothing enabled). */
  augmenter: Augmenter | null;
}

/**
 * Seeds: the data split uses Rng(seed).fork(1) (see data/load.ts); here a root Rng(seed) is forked in
 * a fixed order — 1 data (unused here, keeps the numbering aligned), 2 model (buildModel forks it again
 * into init and dropout), 3 data order, 4 augmentation — so changing one part (e.g. turning augmentation
 * on) does not change the random stream of another.
 */
export function setupTrial(config: TrialConfig, load: () => Dataset, opts: { initialParams?: Uint8Array; source?: DataSource } = {}): TrialSetup {
  const { dataset, model: modelCfg, training } = config;
  const { initialParams, source } = opts;
  const meta = source ? { rows: source.Y.length, inputShape: source.inputShape, classes: source.classes } : undefined;
  if (dataset.name === "uploaded" && !meta) {
    throw new InvalidTrialConfigError([{ path: "dataset.id", message: `dataset "uploaded" (${dataset.id}) was given no rows (hooks.source)` }]);
  }
  const issues = checkDataset(dataset, modelCfg, meta);
  if (issues.length) throw new InvalidTrialConfigError(issues);
  const data = load();
  const root = new Rng(config.seed);
  root.fork(1);
  const modelRng = root.fork(2);
  const orderRng = root.fork(3);
  const augRng = root.fork(4);
  const model = buildModel(modelCfg, data.inputShape, data.classes, modelRng);
  // model.initFrom must take effect: without the stored trial's params there is nothing to start
  // from, and a silent fresh init (with freezeLayers ignored) would train a different trial.
  if (modelCfg.initFrom && !initialParams) {
    throw new InvalidTrialConfigError([{ path: "model.initFrom", message: `names trial ${modelCfg.initFrom.trialId} but no stored parameters were given (hooks.initialParams)` }]);
  }
  if (initialParams) {
    loadForFineTuning(model, initialParams, modelCfg);
  }
  // Augmentation needs images: ignored for spiral and for pca/whiten features (as trial-config.ts says).
  const aug = training.augment;
  const augmenter = aug && data.inputShape.length === 3 ? new Augmenter(data.inputShape, aug, augRng) : null;
  return {
    data,
    dim: featureCount(data),
    model,
    loss: createLoss(training.loss),
    orderRng,
    augmenter: augmenter?.enabled ? augmenter : null,
  };
}
