import type { DatasetConfig, ModelConfig } from "@hps/contracts";
import { MNIST_COUNT, MNIST_SIZE } from "./mnist.ts";

/** A problem with a trial's dataset settings, located by its dotted path in the trial config. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * A trial config the core cannot train (not a bug, not transient: retrying will not help).
 * Thrown by `train` before any work; `issues` are those of `checkDataset`.
 */
export class InvalidTrialConfigError extends Error {
  readonly code = "invalid_trial_config";
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    this.name = "InvalidTrialConfigError";
  }
}

/**
 * What the checks need to know of an uploaded dataset (its stored row; built-in sets need none):
 * rows, the per-sample shape ([features], or [C, H, W] for images) and the class count.
 */
export interface DatasetMeta {
  rows: number;
  inputShape: number[];
  classes: number;
}

function needMeta(cfg: DatasetConfig, meta: DatasetMeta | undefined): DatasetMeta {
  if (!meta) throw new RangeError(`dataset "uploaded" (${cfg.id}) needs its metadata (rows, shape, classes)`);
  return meta;
}

/** Per-sample shape of the raw dataset, before preprocessing. */
function rawShape(cfg: DatasetConfig, meta?: DatasetMeta): number[] {
  if (cfg.name === "uploaded") return needMeta(cfg, meta).inputShape;
  return cfg.name === "mnist" ? [1, MNIST_SIZE, MNIST_SIZE] : [2];
}

/**
 * The input shape and class count a dataset config gives the model, without loading any data
 * (for `checkArchitecture` at spec validation): pca/whiten turn the input into [pcaComponents].
 */
export function datasetShape(cfg: DatasetConfig, meta?: DatasetMeta): { inputShape: number[]; classes: number } {
  const raw = rawShape(cfg, meta);
  const features = raw.reduce((a, b) => a * b, 1);
  const flat = cfg.preprocess === "pca" || cfg.preprocess === "whiten";
  return {
    inputShape: flat ? [Math.min(cfg.pcaComponents ?? features, features)] : raw,
    classes: cfg.name === "mnist" ? 10 : cfg.name === "uploaded" ? needMeta(cfg, meta).classes : cfg.classes,
  };
}

/**
 * Dataset settings that are well-formed but impossible (the API answers 422 with these; `train`
 * throws InvalidTrialConfigError): more mnist digits than the package ships, more pca components
 * than features, pca/whiten (flat features) feeding a cnn, more rows than an uploaded dataset has. Pure and cheap: loads nothing.
 */
export function checkDataset(cfg: DatasetConfig, model?: Pick<ModelConfig, "type">, meta?: DatasetMeta): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.name === "uploaded") {
    const { rows } = needMeta(cfg, meta);
    if (cfg.trainSize + cfg.valSize > rows) {
      issues.push({
        path: "dataset.trainSize",
        message: `trainSize ${cfg.trainSize} + valSize ${cfg.valSize} = ${cfg.trainSize + cfg.valSize} exceeds the ${rows} rows of dataset ${cfg.id}`,
      });
    }
  }
  if (cfg.name === "mnist" && cfg.trainSize + cfg.valSize > MNIST_COUNT) {
    issues.push({
      path: "dataset.trainSize",
      message: `trainSize + valSize = ${cfg.trainSize + cfg.valSize} exceeds the ${MNIST_COUNT} mnist digits available`,
    });
  }
  const flat = cfg.preprocess === "pca" || cfg.preprocess === "whiten";
  const features = rawShape(cfg, meta).reduce((a, b) => a * b, 1);
  if (flat && cfg.pcaComponents !== undefined && cfg.pcaComponents > features) {
    issues.push({ path: "dataset.pcaComponents", message: `${cfg.pcaComponents} components but the input has only ${features} features` });
  }
  if (flat && model?.type === "cnn") {
    issues.push({
      path: "dataset.preprocess",
      message: `preprocess "${cfg.preprocess}" yields flat feature vectors; a cnn needs images (use none, zero_center or normalize)`,
    });
  }
  return issues;
}
