import type { TrialConfig } from "@hps/contracts";
import { buildModel, type Dataset, defaultDatasetCache, evaluate, featureCount, Rng, type Sequential, SoftmaxCrossEntropy } from "@hps/core";

/**
 * Rebuilds a trained trial's model from its serialised params (TrainResult.params) — the same bytes
 * the worker stores — for evaluations train() does not report (clean train accuracy, ensembles).
 * Call inside withArena: the model's buffers live in the thread's arena.
 */
export function loadTrained(config: TrialConfig, params: Uint8Array, data?: Dataset): { model: Sequential; data: Dataset } {
  const ds = data ?? defaultDatasetCache.get(config.dataset, config.seed);
  const model = buildModel(config.model, ds.inputShape, ds.classes, new Rng(0));
  model.load(params);
  return { model, data: ds };
}

/** Accuracy and mean data loss in evaluation mode (no dropout, no augmentation) on the train or val split. */
export function evaluateSplit(model: Sequential, data: Dataset, split: "train" | "val"): { loss: number; accuracy: number } {
  const [X, Y] = split === "train" ? [data.trainX, data.trainY] : [data.valX, data.valY];
  return evaluate(model, new SoftmaxCrossEntropy(), X, Y, featureCount(data), data.classes);
}

/** Softmax class probabilities of the model on X ([n, dim]), evaluation mode, as a new [n, classes] array. */
export function probabilities(model: Sequential, X: Float32Array, n: number, dim: number, classes: number): Float64Array {
  const out = new Float64Array(n * classes);
  const chunk = 500;
  for (let s = 0; s < n; s += chunk) {
    const b = Math.min(chunk, n - s);
    const scores = model.forward(X.subarray(s * dim, (s + b) * dim), b, false);
    for (let i = 0; i < b; i++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, scores[i * classes + c]);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(scores[i * classes + c] - max);
      for (let c = 0; c < classes; c++) out[(s + i) * classes + c] = Math.exp(scores[i * classes + c] - max) / sum;
    }
  }
  return out;
}

/** Share of rows whose argmax matches the label. */
export function accuracyOf(probs: Float64Array, labels: Int32Array, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let arg = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + arg]) arg = c;
    if (arg === labels[i]) correct++;
  }
  return correct / labels.length;
}
