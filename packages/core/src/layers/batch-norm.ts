import { alloc } from "../kernels/index.ts";
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
  /** Per channel: 1/√(var + eps) of the last forward (batch or running var). */
  private readonly invStd: Float64Array;
  private readonly mean: Float64Array;
  private readonly sum1: Float64Array;
  private readonly sum2: Float64Array;
  private batch = 0;
  private training = false;

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
    this.invStd = new Float64Array(this.C);
    this.mean = new Float64Array(this.C);
    this.sum1 = new Float64Array(this.C);
    this.sum2 = new Float64Array(this.C);
  }

  forward(x: Float32Array, batch: number, training: boolean): Float32Array {
    const { C, P, mean, invStd, sum1, sum2 } = this;
    checkBatch(this.kind, x, batch, C * P);
    const m = batch * P;
    if (training) {
      // Two passes (mean, then squared deviations): exact enough in float64 without Welford.
      sum1.fill(0);
      sum2.fill(0);
      for (let n = 0, o = 0; n < batch; n++) {
        for (let c = 0; c < C; c++, o += P) {
          let s = 0;
          for (let p = o; p < o + P; p++) s += x[p];
          sum1[c] += s;
        }
      }
      for (let c = 0; c < C; c++) mean[c] = sum1[c] / m;
      for (let n = 0, o = 0; n < batch; n++) {
        for (let c = 0; c < C; c++, o += P) {
          const mu = mean[c];
          let s = 0;
          for (let p = o; p < o + P; p++) {
            const d = x[p] - mu;
            s += d * d;
          }
          sum2[c] += s;
        }
      }
      const mom = this.momentum;
      for (let c = 0; c < C; c++) {
        const v = sum2[c] / m;
        invStd[c] = 1 / Math.sqrt(v + this.eps);
        this.runningMean[c] = (1 - mom) * this.runningMean[c] + mom * mean[c];
        if (m > 1) this.runningVar[c] = (1 - mom) * this.runningVar[c] + (mom * v * m) / (m - 1);
      }
    } else {
      for (let c = 0; c < C; c++) {
        mean[c] = this.runningMean[c];
        invStd[c] = 1 / Math.sqrt(this.runningVar[c] + this.eps);
      }
    }
    const y = this.y.get(batch);
    const xhat = this.xhat.get(batch);
    const g = this.gamma.value;
    const b = this.beta.value;
    for (let n = 0, o = 0; n < batch; n++) {
      for (let c = 0; c < C; c++, o += P) {
        const mu = mean[c];
        const is = invStd[c];
        const gc = g[c];
        const bc = b[c];
        for (let p = o; p < o + P; p++) {
          const h = (x[p] - mu) * is;
          xhat[p] = h;
          y[p] = gc * h + bc;
        }
      }
    }
    this.batch = batch;
    this.training = training;
    return y;
  }

  backward(dout: Float32Array): Float32Array {
    const { C, P, batch, invStd, sum1, sum2 } = this;
    // Memory order: sample n, channel c, then a contiguous run of P elements at offset o.
    const xhat = this.xhat.get(batch);
    // sum1 = Σ dout = dβ, sum2 = Σ dout·x̂ = dγ, per channel.
    sum1.fill(0);
    sum2.fill(0);
    for (let n = 0, o = 0; n < batch; n++) {
      for (let c = 0; c < C; c++, o += P) {
        let s1 = 0;
        let s2 = 0;
        for (let p = o; p < o + P; p++) {
          const d = dout[p];
          s1 += d;
          s2 += d * xhat[p];
        }
        sum1[c] += s1;
        sum2[c] += s2;
      }
    }
    const g = this.gamma.value;
    for (let c = 0; c < C; c++) {
      this.beta.grad[c] = sum1[c];
      this.gamma.grad[c] = sum2[c];
    }
    const dx = this.dx.get(batch);
    if (this.training) {
      // dx = γ/(m·σ)·(m·dout − Σdout − x̂·Σ(dout·x̂)): the batch statistics depend on x too.
      const m = batch * P;
      for (let n = 0, o = 0; n < batch; n++) {
        for (let c = 0; c < C; c++, o += P) {
          const k = (g[c] * invStd[c]) / m;
          const s1 = sum1[c];
          const s2 = sum2[c];
          for (let p = o; p < o + P; p++) dx[p] = k * (m * dout[p] - s1 - xhat[p] * s2);
        }
      }
    } else {
      for (let n = 0, o = 0; n < batch; n++) {
        for (let c = 0; c < C; c++, o += P) {
          const k = g[c] * invStd[c];
          for (let p = o; p < o + P; p++) dx[p] = k * dout[p];
        }
      }
    }
    return dx;
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
