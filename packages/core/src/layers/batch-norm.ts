import {
  ACT_IDENTITY, type Activation, alloc, allocFloat64, batchNormBackward, batchNormForward, type BatchNormState,
} from "../kernels/index.ts";
import type { Layer, Param } from "../layer.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch, makeParam, sizeOf } from "./layer-kit.ts";

export interface BatchNormOptions {
  /** Added to the variance before the square root (PyTorch's default 1e-5). */
  eps?: number;
  /** Weight of the new batch statistic in the running averages (PyTorch's default 0.1). */
  momentum?: number;
  /** Param name prefix within the model, e.g. "1" → "1.gamma", "1.beta". */
  name?: string;
}

/**
 * Batch normalisation (Ioffe & Szegedy 2015), matching PyTorch's BatchNorm1d / BatchNorm2d:
 *   inShape [D]       → one channel per feature, statistics over the batch;
 *   inShape [C, H, W] → one channel per C ("spatial" BN), statistics over batch, H and W.
 * Training: y = γ·(x − μ_B)/√(σ²_B + eps) + β with the biased batch variance σ²_B, and
 *   running_mean ← (1 − momentum)·running_mean + momentum·μ_B,
 *   running_var  ← (1 − momentum)·running_var  + momentum·σ²_B·m/(m − 1)   (unbiased, as PyTorch;
 *   with m = 1 value per channel the variance is undefined and running_var is left unchanged).
 * Evaluation: the running statistics replace the batch ones.
 * γ starts at 1, β at 0, running mean 0, running var 1; γ and β do not decay under L2.
 * Statistics and gradient sums accumulate in float64.
 */
export class BatchNorm implements Layer {
  readonly kind = "batch_norm";
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly gamma: Param;
  readonly beta: Param;
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;
  readonly eps: number;
  readonly momentum: number;
  private readonly prefix: string | undefined;
  /** Channels and elements per channel per sample (1 for [D]). */
  private readonly C: number;
  private readonly P: number;
  private readonly y: BatchBuffer;
  private readonly xhat: BatchBuffer;
  private readonly dx: BatchBuffer;
  /** What the kernels read and write: γ, β, their grads, the running and last-forward statistics (arena). */
  private readonly state: BatchNormState;
  private batch = 0;
  private training = false;
  /** Activation applied to y (identity unless fused with the next layer, see fuseActivation). */
  private act: Activation = ACT_IDENTITY;
  private slope = 0;

  constructor(inShape: readonly number[], opts: BatchNormOptions = {}) {
    if (inShape.length !== 1 && inShape.length !== 3) {
      throw new RangeError(`batch_norm: inShape must be [D] or [C, H, W], got [${inShape}]`);
    }
    this.inShape = [...inShape];
    this.outShape = this.inShape;
    this.C = inShape[0]!;
    this.P = sizeOf(inShape.slice(1));
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.prefix = opts.name;
    this.gamma = makeParam(opts.name, "gamma", [this.C], false);
    this.beta = makeParam(opts.name, "beta", [this.C], false);
    this.gamma.value.fill(1);
    this.runningMean = alloc(this.C);
    this.runningVar = alloc(this.C).fill(1);
    const n = this.C * this.P;
    this.y = new BatchBuffer(n);
    this.xhat = new BatchBuffer(n);
    this.dx = new BatchBuffer(n);
    const C = this.C;
    this.state = {
      gamma: this.gamma.value, beta: this.beta.value, gammaGrad: this.gamma.grad, betaGrad: this.beta.grad,
      runningMean: this.runningMean, runningVar: this.runningVar,
      mean: allocFloat64(C), invStd: allocFloat64(C), sum1: allocFloat64(C), sum2: allocFloat64(C), k: allocFloat64(C),
      eps: this.eps, momentum: this.momentum,
    };
  }

  forward(x: Float32Array, batch: number, training: boolean): Float32Array {
    const { C, P } = this;
    checkBatch(this.kind, x, batch, C * P);
    const y = this.y.get(batch);
    // WebAssembly (twin batchNormForwardRef): statistics, running averages and y = γ·x̂ + β.
    batchNormForward(x, y, this.xhat.get(batch), batch, C, P, this.state, training, this.act, this.slope);
    this.batch = batch;
    this.training = training;
    return y;
  }

  backward(dout: Float32Array): Float32Array {
    const { C, P, batch } = this;
    const dx = this.dx.get(batch);
    // WebAssembly (twin batchNormBackwardRef): dγ, dβ and dx through the batch statistics (training).
    batchNormBackward(dout, this.y.get(batch), this.xhat.get(batch), dx, batch, C, P, this.state, this.training, this.act, this.slope);
    return dx;
  }

  /**
   * Makes this layer output act(γ·x̂ + β) and take its gradient with respect to that output; the
   * activation layer after it then passes values and gradients through (Elementwise.fuseIntoPrevious).
   * Bit-identical to the two layers run separately.
   */
  fuseActivation(act: Activation, slope: number): void {
    this.act = act;
    this.slope = slope;
  }

  params(): Param[] {
    return [this.gamma, this.beta];
  }

  buffers(): { name: string; value: Float32Array }[] {
    const at = (t: string) => (this.prefix ? `${this.prefix}.${t}` : t);
    return [
      { name: at("runningMean"), value: this.runningMean },
      { name: at("runningVar"), value: this.runningVar },
    ];
  }
}
