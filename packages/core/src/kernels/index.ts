/**
 * The hot kernels the layers and optimizers call. Each WebAssembly kernel has a plain-TypeScript
 * twin with the same signature (…Ref) that tests compare it against.
 * `alloc` hands out views into the per-thread WebAssembly memory arena so the kernels run on layer
 * and optimizer buffers without copying; see arena.ts for the lifecycle (`resetArena` between trials).
 */
export {
  alloc, allocInt32, arenaMark, arenaRelease, arenaStats, kernelPath, resetArena, selectKernelPath, setArenaLimit, TrialMemoryError,
} from "./arena.ts";
export { KERNEL_PATHS, parseKernelPath, resolveKernelPath, runnableKernelPaths, type KernelPath } from "./kernel-path.ts";
export {
  gemmActBackwardRef, gemmBiasActRef, sgemmRef, type GemmActBackwardCall, type GemmBiasActCall, type GemmProduct,
} from "./gemm-ref.ts";
/** C[M,N] = beta·C + op(A)·op(B); see gemm-ref.ts for the exact contract. WebAssembly SIMD. */
export { sgemm } from "./gemm.ts";
/** C = act(op(A)·op(B) + bias): an affine layer's forward in one call (bias + act fused for K ≤ 4). */
export { gemmBiasAct } from "./gemm.ts";
/** dX = act'(Y) ⊙ (op(A)·op(B)) with its column sums: dx through a fused activation (masked in the store for K ≤ 4). */
export { gemmActBackward } from "./gemm.ts";
export {
  actBackward, actBackwardColSum, actForward, adamUpdate, biasAct, col2im, colSum, im2col, maxPoolBackward, maxPoolForward,
} from "./fused.ts";
export {
  actBackwardColSumRef, actBackwardRef, actForwardRef, adamUpdateRef, biasActRef, col2imRef, colSumRef, convGeometry,
  im2colRef, maxPoolBackwardRef, maxPoolForwardRef, type Activation, type ConvGeometry,
  type PoolGeometry,
} from "./fused-ref.ts";
export { ACT_IDENTITY, ACT_LEAKY_RELU, ACT_RELU } from "./wat-source.ts";
export { cacheUpdate, l2Grad, momentumUpdate, sgdUpdate } from "./updates.ts";
export { cacheUpdateRef, l2GradRef, momentumUpdateRef, sgdUpdateRef } from "./updates-ref.ts";
/** Softmax cross-entropy forward + backward of a batch in one pass (WebAssembly; twin softmaxXentRef). */
export { softmaxXent } from "./softmax.ts";
export { softmaxXentRef } from "./softmax-ref.ts";
export { allocFloat64 } from "./arena.ts";
/** Batch norm forward (statistics + normalisation) and backward (WebAssembly, float64 statistics; twins …Ref). */
export { batchNormBackward, batchNormForward } from "./batch-norm.ts";
export { batchNormBackwardRef, batchNormForwardRef, type BatchNormState } from "./batch-norm-ref.ts";
/** Conv bias + activation fused into the layout change (forward), and act' + bias gradient (backward). */
export { channelsToSamplesAct, samplesToChannelsAct } from "./conv-epilogue.ts";
export { channelsToSamplesActRef, samplesToChannelsActRef } from "./conv-epilogue-ref.ts";
/** Inverted dropout: mulberry32 mask + apply in one pass, and its backward. */
export { dropoutBackward, dropoutForward } from "./dropout.ts";
export { dropoutBackwardRef, dropoutForwardRef } from "./dropout-ref.ts";
/** The Polyak average's float64 EMA update. */
export { emaUpdate } from "./ema.ts";
export { emaUpdateRef } from "./ema-ref.ts";
/** Rows whose first highest score is the label (accuracy counts). */
export { countCorrect } from "./count-correct.ts";
export { countCorrectRef } from "./count-correct-ref.ts";
/** One image sample's shift / mirror / brightness (data augmentation). */
export { augmentSample } from "./augment.ts";
export { augmentSampleRef, type SampleAugment } from "./augment-ref.ts";
