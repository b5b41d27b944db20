/**
 * The downloadable model (GET /v1/trials/:id/model): one self-describing, versioned binary that
 * takes raw rows, as in the uploaded CSV, to class probabilities. Layout (little-endian):
 *
 *   "HPSF"   magic (4 bytes ASCII)
 *   u32      format version (MODEL_FILE_VERSION = 1)
 *   u32 n    then n bytes of UTF-8 JSON, the ModelFileHeader:
 *              { format: "hps-model", version, model (ModelConfig: the architecture),
 *                inputShape (raw per-sample shape), classes, labels (label of each class index),
 *                preprocessing: { method, inputFeatures, mean, scale (float64 numbers or null),
 *                                 outShape } }
 *   u32 p    then p × f32: the pca/whiten projection [inputFeatures, outShape[0]] row-major (p = 0 otherwise)
 *   rest     the parameters: Sequential.serialize()'s "HPSM" tensor file (serialize.ts)
 *
 * To predict: x → preprocessing (see preprocess-stats.ts) → the network buildModel(model,
 * outShape, classes) loaded with the parameters, in evaluation mode → softmax of the scores.
 * loadModel does exactly that; any other implementation needs only this comment.
 */
import type { ClassLabel, ModelConfig } from "@hps/contracts";
import { applyPreprocess } from "../data/preprocess.ts";
import type { PreprocessStats } from "../data/preprocess-stats.ts";
import { arenaMark, arenaRelease } from "../kernels/index.ts";
import { Rng } from "../rng.ts";
import { buildModel } from "./build-model.ts";
import { ModelFormatError } from "./serialize.ts";

export const MODEL_FILE_MAGIC = "HPSF";
export const MODEL_FILE_VERSION = 1;

export interface ModelFileHeader {
  format: "hps-model";
  version: number;
  model: ModelConfig;
  inputShape: number[];
  classes: number;
  labels: ClassLabel[];
  preprocessing: {
    method: PreprocessStats["method"];
    inputFeatures: number;
    mean: number[] | null;
    scale: number[] | null;
    outShape: number[];
  };
}

export interface ModelFileParts {
  model: ModelConfig;
  /** Raw per-sample shape (before preprocessing). */
  inputShape: number[];
  labels: ClassLabel[];
  preprocessing: PreprocessStats;
  /** Sequential.serialize() of the trained network. */
  params: Uint8Array;
}

const utf8 = new TextEncoder();

export function encodeModelFile(parts: ModelFileParts): Uint8Array {
  const pre = parts.preprocessing;
  const header: ModelFileHeader = {
    format: "hps-model",
    version: MODEL_FILE_VERSION,
    model: parts.model,
    inputShape: parts.inputShape,
    classes: parts.labels.length,
    labels: parts.labels,
    preprocessing: {
      method: pre.method,
      inputFeatures: pre.inputFeatures,
      mean: pre.mean ? Array.from(pre.mean) : null,
      scale: pre.scale ? Array.from(pre.scale) : null,
      outShape: pre.outShape,
    },
  };
  const head = utf8.encode(JSON.stringify(header));
  const proj = pre.projection ?? new Float32Array(0);
  const out = new Uint8Array(12 + head.length + 4 + 4 * proj.length + parts.params.length);
  const view = new DataView(out.buffer);
  out.set(utf8.encode(MODEL_FILE_MAGIC), 0);
  view.setUint32(4, MODEL_FILE_VERSION, true);
  view.setUint32(8, head.length, true);
  out.set(head, 12);
  let o = 12 + head.length;
  view.setUint32(o, proj.length, true);
  o += 4;
  for (const v of proj) view.setFloat32((o += 4) - 4, v, true);
  out.set(parts.params, o);
  return out;
}

export interface DecodedModelFile {
  header: ModelFileHeader;
  preprocessing: PreprocessStats;
  params: Uint8Array;
}

export function isModelFile(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === MODEL_FILE_MAGIC;
}

export function decodeModelFile(bytes: Uint8Array): DecodedModelFile {
  if (!isModelFile(bytes)) throw new ModelFormatError("not an hps model file (bad magic)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (end: number) => {
    if (end > bytes.length) throw new ModelFormatError(`model file truncated at byte ${bytes.length} (needs ${end})`);
  };
  need(12);
  const version = view.getUint32(4, true);
  if (version !== MODEL_FILE_VERSION) throw new ModelFormatError(`model file version ${version} is not supported (expected ${MODEL_FILE_VERSION})`);
  const n = view.getUint32(8, true);
  need(12 + n + 4);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n))) as ModelFileHeader;
  let o = 12 + n;
  const p = view.getUint32(o, true);
  o += 4;
  need(o + 4 * p);
  const projection = new Float32Array(p);
  for (let i = 0; i < p; i++, o += 4) projection[i] = view.getFloat32(o, true);
  const h = header.preprocessing;
  return {
    header,
    preprocessing: {
      method: h.method,
      inputFeatures: h.inputFeatures,
      mean: h.mean ? Float64Array.from(h.mean) : null,
      scale: h.scale ? Float64Array.from(h.scale) : null,
      projection: p > 0 ? projection : null,
      outShape: h.outShape,
    },
    params: bytes.subarray(o),
  };
}

/** The network parameters of a model file, or the bytes themselves when they are already a bare "HPSM" tensor file. */
export function modelParams(bytes: Uint8Array): Uint8Array {
  return isModelFile(bytes) ? decodeModelFile(bytes).params : bytes;
}

/** Rows of the wrong width: `row` is the 0-based index of the first bad one. */
export class ModelInputError extends Error {
  readonly code = "bad_model_input";
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
    this.name = "ModelInputError";
  }
}

export interface Prediction {
  /** Softmax probabilities [rows, classes] row-major. */
  probabilities: Float32Array;
  /** argmax per row (first on ties). */
  predictions: Int32Array;
}

export interface LoadedModel {
  readonly header: ModelFileHeader;
  readonly labels: ClassLabel[];
  readonly classes: number;
  /** Raw features per row. */
  readonly inputFeatures: number;
  /** Class probabilities of raw rows (each of inputFeatures numbers, or one flat row-major array). */
  predict(inputs: ReadonlyArray<ArrayLike<number>> | Float32Array): Prediction;
}

/** Rows per forward pass: bounds activation memory like evaluation's chunks. */
const CHUNK = 500;

/**
 * Reads a model file (validating it against its architecture at once). Each predict call builds
 * the network in the thread's arena and releases it before returning, so a loaded model holds no
 * arena memory between calls and several may be used in turn.
 */
export function loadModel(bytes: Uint8Array): LoadedModel {
  const { header, preprocessing, params } = decodeModelFile(bytes);
  const D = preprocessing.inputFeatures;
  const classes = header.classes;
  const withNet = <T>(fn: (forward: (x: Float32Array, rows: number) => Float32Array) => T): T => {
    const mark = arenaMark();
    try {
      const net = buildModel(header.model, preprocessing.outShape, classes, new Rng(0));
      net.load(params);
      return fn((x, rows) => net.forward(x, rows, false));
    } finally {
      arenaRelease(mark);
    }
  };
  withNet(() => undefined); // a file that does not fit its own architecture fails here, not at the first predict
  return {
    header,
    labels: header.labels,
    classes,
    inputFeatures: D,
    predict(inputs) {
      const X = toRows(inputs, D);
      const rows = X.length / D;
      const pre = applyPreprocess(preprocessing, X);
      const dim = pre.length / Math.max(rows, 1);
      const probabilities = new Float32Array(rows * classes);
      const predictions = new Int32Array(rows);
      withNet((forward) => {
        for (let s = 0; s < rows; s += CHUNK) {
          const b = Math.min(CHUNK, rows - s);
          const scores = forward(pre.subarray(s * dim, (s + b) * dim), b);
          for (let i = 0; i < b; i++) softmaxRow(scores, i * classes, classes, probabilities, (s + i) * classes, predictions, s + i);
        }
      });
      return { probabilities, predictions };
    },
  };
}

function toRows(inputs: ReadonlyArray<ArrayLike<number>> | Float32Array, D: number): Float32Array {
  if (inputs instanceof Float32Array) {
    if (inputs.length % D !== 0) throw new ModelInputError(Math.floor(inputs.length / D), `${inputs.length} numbers are not whole rows of ${D} features`);
    return inputs;
  }
  const X = new Float32Array(inputs.length * D);
  inputs.forEach((row, r) => {
    if (row.length !== D) throw new ModelInputError(r, `row ${r} has ${row.length} features; the model takes ${D}`);
    for (let j = 0; j < D; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) throw new ModelInputError(r, `row ${r} feature ${j} is not a finite number`);
      X[r * D + j] = v;
    }
  });
  return X;
}

/** Numerically stable softmax of one row of scores (max subtracted), and its argmax. */
function softmaxRow(scores: Float32Array, at: number, k: number, out: Float32Array, to: number, argmax: Int32Array, row: number): void {
  let best = 0;
  let max = scores[at]!;
  for (let j = 1; j < k; j++) if (scores[at + j]! > max) {
    max = scores[at + j]!;
    best = j;
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += Math.exp(scores[at + j]! - max);
  for (let j = 0; j < k; j++) out[to + j] = Math.exp(scores[at + j]! - max) / sum;
  argmax[row] = best;
}
