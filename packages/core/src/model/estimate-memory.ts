import type { TrialConfig } from "@hps/contracts";
import { datasetShape, type DatasetMeta } from "../data/check.ts";
import { convChunk, windowOutput } from "../layers/window.ts";

/** Rows of the evaluation passes (train/evaluate.ts EVAL_CHUNK; kept equal by estimate-memory.test.ts). */
const EVAL_ROWS = 500;
/** The kernels' own scratch and a worker thread's fixed cost (V8 isolate, module code), in bytes. */
const FIXED_BYTES = 48 * 2 ** 20;
/** mnist's 10,000 decoded digits, loaded once per thread and shared by its trials. */
const MNIST_BYTES = 10_000 * 784 * 4;

/** One contribution to a trial's peak memory, with the config fields that drive it. */
export interface MemoryPart {
  what: string;
  bytes: number;
  /** Dotted paths into the trial config whose values make this part grow. */
  fields: string[];
}

export interface MemoryEstimate {
  /** Upper estimate of the trial's peak bytes on a worker thread. */
  bytes: number;
  /** The contributions, largest first. */
  parts: MemoryPart[];
}

/**
 * A pure upper estimate of one trial's peak memory (what the worker thread's arena and the data
 * need), without building anything: parameters with their gradients, optimiser state and Polyak
 * copies; every layer's per-sample buffers for a training batch and for the evaluation chunk
 * (BatchBuffers only grow, and the arena does not free within a trial, so both sizes are
 * counted); the conv scratch, bounded per chunk of samples; the dataset and its preprocessed
 * copies. The API refuses a spec whose worst trial exceeds the worker's budget (HPS_TRIAL_MEMORY_MB).
 * Shapes are assumed valid (checkArchitecture runs first); an invalid one estimates what it can.
 */
export function estimateTrialMemory(config: TrialConfig, meta?: DatasetMeta): MemoryEstimate {
  const { model, training, dataset } = config;
  const { inputShape, classes } = datasetShape(dataset, meta); // meta: an uploaded dataset's stored shape
  const batch = Math.min(training.batchSize, dataset.trainSize);
  // Evaluation runs forward only, in chunks of EVAL_ROWS; its (larger) output buffers are new allocations.
  const evalRows = EVAL_ROWS > batch ? EVAL_ROWS : 0;
  const k = model.activation === "maxout" ? model.maxoutPieces : 1;
  let params = 0;
  let fwd = 0; // floats per sample of every layer's forward output
  let bwd = 0; // floats per sample of what training adds: input gradients, caches, masks
  let scratch = 0; // conv im2col + GEMM scratch, floats (bounded per chunk)
  let features = inputShape.reduce((a, b) => a * b, 1);
  const dense = (out: number, inN: number) => {
    fwd += 2 * out * k; // affine y; activation (or maxout) y
    bwd += out * k + inN + out * k; // affine dz, dx; activation dx
    if (model.batchNorm) (fwd += out * k), (bwd += 2 * out * k); // y; xhat, dx
    if (model.dropout > 0) (fwd += out), (bwd += 2 * out); // y; mask, dx
  };

  if (model.type === "cnn" && inputShape.length === 3) {
    let [C, H, W] = inputShape as [number, number, number];
    for (const block of model.conv) {
      const { filters, size, stride, pad } = block;
      const F = filters * k;
      const OH = windowOutput(H, size, stride, pad);
      const OW = windowOutput(W, size, stride, pad);
      if (!(OH >= 1 && OW >= 1)) break;
      const out = F * OH * OW;
      params += F * (C * size * size + 1) + (model.batchNorm ? 2 * F : 0);
      // A relu / leaky relu is fused into the conv or batch norm before it (Sequential): no buffers of its own.
      const fused = model.activation === "relu" || model.activation === "leaky_relu";
      fwd += fused ? out : 2 * out; // conv y; activation y
      bwd += C * H * W + (fused ? 0 : out); // conv dx; activation dx
      if (model.batchNorm) (fwd += out), (bwd += 2 * out);
      if (model.dropout > 0) (fwd += out), (bwd += 2 * out);
      // cols [C·K·K, chunk·PQ] and the channel-major scratch [F, chunk·PQ], for at most a chunk of samples.
      const perSample = (C * size * size + F) * OH * OW;
      const chunk = convChunk(perSample);
      scratch = Math.max(scratch, (Math.min(batch, chunk) + Math.min(evalRows, chunk)) * perSample);
      [C, H, W] = [filters, OH, OW];
      if (block.pool) {
        const PH = windowOutput(H, block.pool.size, block.pool.stride, 0);
        const PW = windowOutput(W, block.pool.size, block.pool.stride, 0);
        if (!(PH >= 1 && PW >= 1)) break;
        fwd += 2 * C * PH * PW; // y, argmax (int32)
        bwd += C * H * W; // dx
        [H, W] = [PH, PW];
      }
    }
    features = C * H * W;
  }
  for (const h of model.hidden) {
    params += (features + 1) * h * k + (model.batchNorm ? 2 * h * k : 0);
    dense(h, features);
    features = h;
  }
  params += (features + 1) * classes;
  fwd += classes; // last affine y
  bwd += classes + features + classes; // its dz, dx; the loss gradient
  const activationBytes = 4 * (batch * (fwd + bwd) + evalRows * fwd);

  const slots: Record<TrialConfig["training"]["optimizer"], number> = { sgd: 0, momentum: 1, nesterov: 1, adagrad: 1, rmsprop: 1, adam: 2, lbfgs: 0 };
  let paramFloats = params * (2 + slots[training.optimizer]);
  if (training.optimizer === "lbfgs") paramFloats += params * (2 * training.lbfgsHistory + 4); // (s, y) pairs, x0, direction, line-search copies
  if (training.polyakDecay > 0) paramFloats += 4 * params; // the average (float64), a scratch copy and the saved weights

  const dim = inputShape.reduce((a, b) => a * b, 1);
  const samples = dataset.trainSize + dataset.valSize;
  // Split + preprocessed copy of both splits; the batcher's gather buffer; augmentation's output.
  let dataBytes = 4 * (2 * samples * dim + batch * dim + (training.augment ? batch * dim : 0));
  if (dataset.preprocess === "pca" || dataset.preprocess === "whiten") dataBytes += 4 * 2 * dim * dim;
  if (dataset.name === "mnist") dataBytes += MNIST_BYTES;

  const parts: MemoryPart[] = [
    { what: `activations and gradients of a batch of ${batch}${evalRows ? ` (and evaluation chunks of ${evalRows})` : ""}`, bytes: activationBytes, fields: ["training.batchSize", "model.hidden", "model.conv", "model.batchNorm", "model.dropout"] },
    { what: "parameters, gradients and optimiser state", bytes: 4 * paramFloats, fields: ["model.hidden", "model.conv", "training.optimizer", "training.polyakDecay"] },
    { what: "the dataset and its preprocessed copies", bytes: dataBytes, fields: ["dataset.trainSize", "dataset.valSize", "dataset.preprocess"] },
    { what: "convolution scratch (im2col)", bytes: 4 * scratch, fields: ["model.conv"] },
    { what: "the worker thread's fixed cost", bytes: FIXED_BYTES, fields: [] },
  ].filter((p) => p.bytes > 0);
  parts.sort((a, b) => b.bytes - a.bytes);
  return { bytes: parts.reduce((s, p) => s + p.bytes, 0), parts };
}
