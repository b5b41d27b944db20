import type { ModelConfig, TrialConfig } from "@hps/contracts";
import { InvalidTrialConfigError } from "../data/check.ts";
import type { Dataset } from "../data/dataset.ts";
import { loadRawDataset } from "../data/load.ts";
import { applyPreprocess, type PreprocessStats } from "../data/preprocess.ts";
import type { DataSource } from "../data/uploaded.ts";
import type { Layer } from "../layer.ts";
import { decodeTensorsInto, MAGIC, ModelFormatError, type Tensor } from "../model/serialize.ts";
import { decodeModelFile, isModelFile, modelParams } from "../model/model-file.ts";
import type { Sequential } from "../model/sequential.ts";

/**
 * Fine-tuning (transfer learning, CS231n lecture 7): starts from a stored model instead of the
 * random init, then freezes `model.initFrom.freezeLayers` leading weight layers (Sequential.freeze).
 *
 * Every param and buffer must match by name and shape — the stored trial must have the same
 * architecture and input — except the layers that keep the fresh initialisation `buildModel` gave
 * them: the last `model.initFrom.reinitLayers` weight layers (each with the batch norm after it; the
 * lecture's "reinitialise the last layer" for a new task), and the OUTPUT layer (the last affine)
 * whenever its class count differs from the stored one (e.g. 3 spiral arms fine-tuned on 5).
 * Mismatches throw ModelFormatError naming the tensor.
 */
export function loadForFineTuning(model: Sequential, file: Uint8Array, cfg: ModelConfig): void {
  const bytes = modelParams(file); // a stored trial's artifact is a model file (model-file.ts); its parameters are what is loaded
  const fileShapes = readShapes(bytes);
  const out = outputLayer(model);
  const sameOutput = out.params().every((p) => fileShapes.get(p.name)?.join(",") === p.shape.join(","));
  const fresh = new Set<Layer>(trailingWeightGroups(model, cfg.initFrom?.reinitLayers ?? 0));
  if (!sameOutput) fresh.add(out);
  if (fresh.size === 0) {
    model.load(bytes);
  } else {
    const keep = (name: string) => ![...fresh].some((l) => l.params().some((p) => p.name === name) || (l.buffers?.() ?? []).some((b) => b.name === name));
    const into: Tensor[] = [
      ...model.params().filter((p) => keep(p.name)).map((p): Tensor => ({ kind: "param", name: p.name, shape: p.shape, value: p.value })),
      ...model.buffers().filter((b) => keep(b.name)).map((b): Tensor => ({ kind: "buffer", name: b.name, shape: [b.value.length], value: b.value })),
    ];
    // The stored values of the fresh layers are read into scratch tensors and dropped (the decoder insists on reading every tensor).
    for (const layer of fresh) {
      const tensors = [...layer.params().map((p) => ({ kind: "param" as const, name: p.name })), ...(layer.buffers?.() ?? []).map((b) => ({ kind: "buffer" as const, name: b.name }))];
      for (const { kind, name } of tensors) {
        const shape = fileShapes.get(name);
        if (!shape) throw new ModelFormatError(`model file lacks ${name}`);
        into.push({ kind, name, shape, value: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
      }
    }
    decodeTensorsInto(bytes, into);
  }
  model.freeze(cfg.initFrom?.freezeLayers ?? 0);
}

/**
 * The data of a fine-tune trial whose stored model is a model file (the worker's artifact): its raw
 * split preprocessed with the STORED statistics, since the loaded first layer was trained on inputs
 * preprocessed that way. Refitting them on the new train split (what the trial's own dataset config
 * would do) shifts zero_center/normalize inputs by the difference of the two means, and gives pca/whiten
 * another basis altogether: measured, a fine-tune at learning rate ~0 of a pca-30 mnist trial scored
 * 0.175 on rows the stored model classifies at 0.705 (fine-tune.test.ts). The trial's
 * dataset.preprocess must name the stored method, so the config says what the data goes through.
 * null when there is nothing to carry over (bare parameters, or "none" on both sides).
 */
export function fineTuneData(config: TrialConfig, initialParams: Uint8Array, source?: DataSource): (() => Dataset) | null {
  if (!isModelFile(initialParams)) return null;
  const stats = decodeModelFile(initialParams).preprocessing;
  const method = config.dataset.preprocess;
  if (stats.method === "none" && method === "none") return null;
  if (stats.method !== method) {
    throw new InvalidTrialConfigError([{ path: "dataset.preprocess", message: `is "${method}" but the stored trial ${config.model.initFrom?.trialId ?? ""} was trained on "${stats.method}" inputs: fine-tuning applies the stored statistics, so name "${stats.method}"` }]);
  }
  return () => withStats(loadRawDataset(config.dataset, config.seed, source), stats);
}

function withStats(raw: Dataset, stats: PreprocessStats): Dataset {
  const D = raw.inputShape.reduce((a, b) => a * b, 1);
  if (D !== stats.inputFeatures) {
    throw new InvalidTrialConfigError([{ path: "dataset", message: `has ${D} features per row but the stored trial's preprocessing takes ${stats.inputFeatures}` }]);
  }
  return { ...raw, trainX: applyPreprocess(stats, raw.trainX), valX: applyPreprocess(stats, raw.valX), inputShape: stats.outShape, preprocessing: stats };
}

function outputLayer(model: Sequential): Layer {
  for (let i = model.layers.length - 1; i >= 0; i--) if (model.layers[i].kind === "affine") return model.layers[i];
  throw new RangeError("fine-tuning: the model has no affine output layer");
}

/**
 * The layers of the last n weight layers (affine/conv) with everything after each up to the next
 * weight layer (its batch norm; activations and pools have no tensors) — the grouping Sequential.freeze uses.
 */
function trailingWeightGroups(model: Sequential, n: number): Layer[] {
  if (n === 0) return [];
  const starts = model.layers.flatMap((l, i) => (l.kind === "affine" || l.kind === "conv" ? [i] : []));
  if (n >= starts.length) throw new RangeError(`fine-tuning: reinitLayers ${n} leaves none of the ${starts.length} weight layers to load`);
  return model.layers.slice(starts[starts.length - n]);
}

/** Name → shape of every tensor in a model file (model/serialize.ts format), skipping the data. */
function readShapes(bytes: Uint8Array): Map<string, number[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = () => new ModelFormatError("not a readable model file");
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw fail();
  const shapes = new Map<string, number[]>();
  let o = 12;
  for (let i = 0, n = view.getUint32(8, true); i < n; i++) {
    if (o + 3 > bytes.length) throw fail();
    const len = view.getUint16(o + 1, true);
    o += 3;
    if (o + len + 1 > bytes.length) throw fail();
    const name = new TextDecoder().decode(bytes.subarray(o, o + len));
    o += len;
    const rank = view.getUint8(o++);
    if (o + 4 * rank > bytes.length) throw fail();
    const shape: number[] = [];
    for (let r = 0; r < rank; r++, o += 4) shape.push(view.getUint32(o, true));
    shapes.set(name, shape);
    o += 4 * shape.reduce((a, b) => a * b, 1);
  }
  return shapes;
}
