/**
 * The contracts every part of the training core shares (ConvNetJS-style).
 *
 * Layout: a batch is one Float32Array, row-major, sample-major: [batch, ...shape].
 * Images are [batch, C, H, W] (NCHW, as in PyTorch). Buffers a layer returns are
 * owned by the layer and stay valid until its next forward/backward call; layers
 * allocate them with `alloc` (kernels/index.ts) so the WebAssembly kernels can
 * work on them without copies, and reuse them across steps (no allocation per step).
 */

/** A learnable tensor and its gradient (same length, same layout). */
export interface Param {
  /** Stable name within the model, e.g. "0.W" (layer index . tensor); used by serialisation. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly value: Float32Array;
  readonly grad: Float32Array;
  /** Whether L2 regularisation applies (weights yes; biases, BN γ/β no — as in CS231n). */
  readonly decay: boolean;
  /** Frozen parameters are not updated by optimisers (fine-tuning). */
  frozen: boolean;
}

export interface Layer {
  readonly kind: string;
  /** Per-sample input / output shapes, derived in the constructor. */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  /** x is [batch, ...inShape]. `training` selects batch statistics, dropout masks, etc. */
  forward(x: Float32Array, batch: number, training: boolean): Float32Array;
  /**
   * dout is [batch, ...outShape] for the batch of the last forward. Returns dx; OVERWRITES the param grads.
   * inputGrad = false: nobody needs dx (the model's first layer, as in PyTorch) — a layer may skip
   * computing it, and the returned buffer's contents are then unspecified.
   */
  backward(dout: Float32Array, inputGrad?: boolean): Float32Array;
  params(): Param[];
  /** Non-learned state that must be saved with the model (e.g. BN running mean/var). */
  buffers?(): { name: string; value: Float32Array }[];
}

/** A loss over class scores: mean over the batch. */
export interface Loss {
  /** scores [batch, classes], labels [batch] → mean loss. Caches what backward needs. */
  forward(scores: Float32Array, labels: Int32Array, batch: number, classes: number): number;
  /** d(mean loss)/d(scores), [batch, classes]. */
  backward(): Float32Array;
}

/**
 * The objective of full-batch training: evaluates the loss at the params' current values (data loss
 * + L2 penalty) and OVERWRITES every param's .grad. Returns the loss.
 */
export type Closure = () => number;

/**
 * An update rule with its own per-parameter state, one class per algorithm (as torch.optim: every
 * optimiser takes `step(closure?)`, and the ones that need the objective require it).
 */
export interface Optimizer {
  /**
   * false: a first-order rule; `step` uses the gradients already in the params (mini-batch training).
   * true: `step` evaluates the objective itself through `closure`, several times (L-BFGS's line
   * search), so the objective must not change during a step: the trainer runs it on the full batch.
   */
  readonly needsClosure: boolean;
  /**
   * Applies one update to every non-frozen param. lr is the learning rate of this step (for L-BFGS its
   * initial step length); the caller owns the schedule and passes each step's value.
   */
  step(params: readonly Param[], lr: number, closure?: Closure): void;
}
