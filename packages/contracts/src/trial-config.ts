import { z } from "zod";

/**
 * The configuration one trial trains with: the search spec's base config with
 * the sampled values written in. `packages/core` trains exactly this shape.
 * Defaults make a minimal spec train; every key is strict (unknown keys are errors).
 */

/** Built-in datasets, or "uploaded": a dataset stored through POST /v1/datasets, named by `id`. */
export const DatasetName = z.enum(["spiral", "mnist", "uploaded"]);
export type DatasetName = z.infer<typeof DatasetName>;

/** Statistics are always computed on the training split and applied unchanged to val/test. */
export const Preprocess = z.enum(["none", "zero_center", "normalize", "pca", "whiten"]);
export type Preprocess = z.infer<typeof Preprocess>;

export const DatasetConfig = z.strictObject({
  name: DatasetName,
  /** uploaded only: the dataset's id (GET /v1/datasets). trainSize + valSize must not exceed its rows. */
  id: z.uuid().optional(),
  trainSize: z.int().min(1).max(60000).default(1000),
  valSize: z.int().min(1).max(20000).default(200),
  preprocess: Preprocess.default("none"),
  /** Components kept by `pca`/`whiten`; defaults to all input dimensions. */
  pcaComponents: z.int().min(1).optional(),
  /** spiral only: number of classes (arms). CS231n uses 3. */
  classes: z.int().min(2).max(20).default(3),
}).superRefine((d, ctx) => {
  // An uploaded dataset is found by id; a built-in one has none (a stray id would be silently ignored).
  if (d.name === "uploaded" && d.id === undefined) ctx.addIssue({ code: "custom", path: ["id"], message: 'dataset "uploaded" needs the id of a stored dataset' });
  if (d.name !== "uploaded" && d.id !== undefined) ctx.addIssue({ code: "custom", path: ["id"], message: `dataset "${d.name}" is built in and takes no id` });
});
export type DatasetConfig = z.infer<typeof DatasetConfig>;

export const Activation = z.enum(["sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout"]);
export type Activation = z.infer<typeof Activation>;

export const Init = z.enum(["small", "xavier", "he"]);
export type Init = z.infer<typeof Init>;

/** One conv block of a CNN: conv (F×F, stride S, zero padding P) → activation → optional max pool. */
export const ConvBlock = z.strictObject({
  filters: z.int().min(1).max(512),
  size: z.int().min(1).max(11),
  stride: z.int().min(1).max(4).default(1),
  pad: z.int().min(0).max(5).default(0),
  pool: z.strictObject({ size: z.int().min(1).max(4), stride: z.int().min(1).max(4) }).optional(),
});
export type ConvBlock = z.infer<typeof ConvBlock>;

export const ModelConfig = z.strictObject({
  type: z.enum(["mlp", "cnn"]).default("mlp"),
  /** Widths of the fully connected hidden layers (after the conv blocks for a CNN). */
  hidden: z.array(z.int().min(1).max(4096)).max(8).default([100]),
  /** CNN only: conv/pool blocks applied to the image before the fully connected layers. */
  conv: z.array(ConvBlock).max(6).default([]),
  activation: Activation.default("relu"),
  /** Negative-side slope of leaky_relu. */
  leakySlope: z.number().min(0).max(1).default(0.01),
  /** ELU's alpha. */
  eluAlpha: z.number().positive().max(10).default(1),
  /** Number of linear pieces k of each maxout unit. */
  maxoutPieces: z.int().min(2).max(8).default(2),
  init: Init.default("he"),
  /** Standard deviation of the `small` init (CS231n: 0.01). */
  initStd: z.number().positive().max(1).default(0.01),
  batchNorm: z.boolean().default(false),
  /** DROP probability p of inverted dropout after each hidden activation (0 = off), as in PyTorch's nn.Dropout(p). */
  dropout: z
    .number()
    .min(0)
    .max(0.95)
    .default(0)
    .describe("DROP probability p of inverted dropout after each hidden activation (0 = off; PyTorch's nn.Dropout(p); CS231n's keep probability is 1 − p)"),
  /** Start from a stored trial's parameters (transfer learning / fine-tuning); training fails if that trial has none. */
  initFrom: z
    .strictObject({
      trialId: z.uuid(),
      /** Number of leading weight layers (affine/conv, each with the batch norm after it) kept frozen (not updated). */
      freezeLayers: z.int().min(0).default(0),
      /**
       * Number of trailing weight layers (the output layer is the last; each with the batch norm after it)
       * that keep their fresh initialisation instead of the stored values: 1 replaces the classifier, as the
       * lecture's "reinitialise the last layer" for a new task with the same class count. An output layer
       * whose class count differs from the stored one is re-initialised whatever this says.
       */
      reinitLayers: z
        .int()
        .min(0)
        .default(0)
        .describe("Trailing weight layers (output layer last) re-initialised instead of loaded from the stored trial; 1 = a fresh classifier on the stored features. Default 0 (an output layer of another class count is always fresh)."),
    })
    .optional(),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

export const Optimizer = z.enum(["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "lbfgs"]);
export type Optimizer = z.infer<typeof Optimizer>;

export const Loss = z.enum(["softmax", "svm"]);
export type Loss = z.infer<typeof Loss>;

/** Learning-rate decay, evaluated per epoch e (0-based): lr_e = lr · factor(e). For lbfgs it scales the initial step length. */
export const LrSchedule = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("none") }),
  /** lr · gamma^floor(e / stepEpochs) */
  z.strictObject({ type: z.literal("step"), stepEpochs: z.int().min(1).default(1), gamma: z.number().positive().max(1).default(0.5) }),
  /** lr · gamma^e */
  z.strictObject({ type: z.literal("exponential"), gamma: z.number().positive().max(1).default(0.9) }),
  /** lr / (1 + k·e) */
  z.strictObject({ type: z.literal("inverse"), k: z.number().nonnegative().default(0.5) }),
  /** minLr + (lr − minLr)·(1 + cos(π·e/epochs))/2 */
  z.strictObject({ type: z.literal("cosine"), minLr: z.number().nonnegative().default(0) }),
]);
export type LrSchedule = z.infer<typeof LrSchedule>;

/** Data augmentation of training batches for image input (mnist without pca/whiten); ignored otherwise, and by lbfgs (full batch). */
export const Augment = z.strictObject({
  /** Random crop after zero-padding each side by this many pixels (0 = off). */
  cropPad: z.int().min(0).max(8).default(0),
  flip: z.boolean().default(false),
  /** Brightness jitter: add U(−b, b) to every pixel of a sample (0 = off). */
  brightness: z.number().min(0).max(1).default(0),
});
export type Augment = z.infer<typeof Augment>;

export const TrainingConfig = z.strictObject({
  epochs: z.int().min(1).max(1000).default(5),
  /** Mini-batch size of the first-order optimisers; lbfgs always trains on the full batch. */
  batchSize: z.int().min(1).max(60000).default(64),
  optimizer: Optimizer.default("sgd"),
  learningRate: z.number().positive().max(1e6).default(0.01),
  l2: z.number().min(0).max(1e3).default(0),
  loss: Loss.default("softmax"),
  /** momentum / nesterov: the velocity decay μ. */
  momentum: z.number().min(0).max(0.9999).default(0.9),
  /** rmsprop: decay rate of the squared-gradient cache. */
  rmsDecay: z.number().min(0).max(0.9999).default(0.99),
  beta1: z.number().min(0).max(0.9999).default(0.9),
  beta2: z.number().min(0).max(0.999999).default(0.999),
  /** adam / rmsprop / adagrad: added to the denominator to avoid division by zero. */
  eps: z.number().positive().max(1).default(1e-8),
  /** lbfgs: number of (s, y) pairs kept. */
  lbfgsHistory: z.int().min(1).max(100).default(10),
  lrSchedule: LrSchedule.default({ type: "none" }),
  augment: Augment.optional(),
  /** Wall-clock limit of the trial's training, seconds (unset = none): past it the trial stops as `timeout`, keeping its curve. */
  maxSeconds: z.number().positive().max(7 * 24 * 3600).optional(),
  /** Polyak averaging: evaluate with an exponential moving average of the parameters (0 = off). */
  polyakDecay: z.number().min(0).max(0.99999).default(0),
});
export type TrainingConfig = z.infer<typeof TrainingConfig>;

export const EarlyStopping = z.strictObject({
  /** Stop as `loss_exploded` when a batch loss exceeds lossFactor × the initial loss (CS231n: 3). */
  lossFactor: z.number().gt(1).max(1e6).default(3),
});
export type EarlyStopping = z.infer<typeof EarlyStopping>;

export const TrialConfig = z.strictObject({
  seed: z.int().min(0).max(2 ** 31 - 1).default(0),
  dataset: DatasetConfig,
  model: ModelConfig.default(ModelConfig.parse({})),
  training: TrainingConfig.default(TrainingConfig.parse({})),
  earlyStopping: EarlyStopping.default({ lossFactor: 3 }),
});
/** The parsed (defaults filled) config. */
export type TrialConfig = z.infer<typeof TrialConfig>;
/** What a client may write (defaults optional). */
export type TrialConfigInput = z.input<typeof TrialConfig>;
