export type { Closure, Layer, Loss, Optimizer, Param } from "./layer.ts";
export { alloc, sgemm, sgemmRef } from "./kernels/index.ts";
export { Rng } from "./rng.ts";
// Layers, losses and models (layers/, losses/, model/).
export { Affine, type AffineOptions } from "./layers/affine.ts";
export { Elementwise, Elu, LeakyRelu, Relu, Sigmoid, Tanh } from "./layers/activations.ts";
export { Maxout } from "./layers/maxout.ts";
export { BatchNorm, type BatchNormOptions } from "./layers/batch-norm.ts";
export { Dropout } from "./layers/dropout.ts";
export { Conv, type ConvOptions } from "./layers/conv.ts";
export { MaxPool, type MaxPoolOptions } from "./layers/max-pool.ts";
export { Flatten } from "./layers/flatten.ts";
export { initWeights } from "./layers/init.ts";
export { ACTIVATIONS, createActivation, type ActivationOptions } from "./layers/registry.ts";
export { LOSSES, createLoss } from "./losses/registry.ts";
export { UnknownNameError } from "./unknown-name-error.ts";
export { SoftmaxCrossEntropy } from "./losses/softmax-cross-entropy.ts";
export { MulticlassSvm } from "./losses/multiclass-svm.ts";
export { Sequential } from "./model/sequential.ts";
export { buildModel } from "./model/build-model.ts";
// Optimisers, schedules, datasets, preprocessing, augmentation and the training loop (optimizers/, schedules/, data/, train/).
export * from "./optimizers/index.ts";
export { ConstantLr, CosineDecay, ExponentialDecay, InverseDecay, type Schedule, StepDecay, createSchedule } from "./schedules/schedules.ts";
export * from "./data/index.ts";
export * from "./train/index.ts";
export { ModelFormatError, FORMAT_VERSION as MODEL_FORMAT_VERSION } from "./model/serialize.ts";
export {
  MODEL_FILE_VERSION, ModelInputError, decodeModelFile, encodeModelFile, isModelFile, loadModel, modelParams,
  type LoadedModel, type ModelFileHeader, type ModelFileParts, type Prediction,
} from "./model/model-file.ts";
export { ensembleAccuracy } from "./model/ensemble.ts";
export { gradCheck, layerGradCheck, type GradCheckOptions, type GradCheckResult } from "./gradcheck.ts";
// The pure spec checks, also importable on their own (and without the kernels) as @hps/core/checks.
export * from "./checks.ts";
// WebAssembly kernels and the per-thread arena (kernels/): fused kernels + twins, arena lifecycle.
export {
  ACT_IDENTITY, ACT_LEAKY_RELU, ACT_RELU, actBackward, actBackwardRef, actForward, actForwardRef, adamUpdate, adamUpdateRef,
  arenaMark, arenaRelease, arenaStats, biasAct, biasActRef, col2im, col2imRef, colSum, colSumRef, convGeometry, im2col,
  im2colRef, resetArena, setArenaLimit, TrialMemoryError, type Activation as KernelActivation, type ConvGeometry,
} from "./kernels/index.ts";
export {
  allocInt32, maxPoolBackward, maxPoolBackwardRef, maxPoolForward, maxPoolForwardRef, type PoolGeometry,
} from "./kernels/index.ts";
export {
  cacheUpdate, cacheUpdateRef, l2Grad, l2GradRef, momentumUpdate, momentumUpdateRef, sgdUpdate, sgdUpdateRef,
} from "./kernels/index.ts";
// Which kernel module runs (SIMD128 or relaxed-SIMD FMA): chosen at start-up, forced by callers' options.
export { KERNEL_PATHS, kernelPath, parseKernelPath, resolveKernelPath, runnableKernelPaths, selectKernelPath, type KernelPath } from "./kernels/index.ts";
