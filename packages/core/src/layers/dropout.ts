import type { Layer, Param } from "../layer.ts";
import type { Rng } from "../rng.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch, sizeOf } from "./layer-kit.ts";
import { dropoutBackward, dropoutForward } from "../kernels/index.ts";

/**
 * Inverted dropout (CS231n lecture 7), as PyTorch's nn.Dropout(p): in training each element is
 * zeroed with probability p and the survivors are scaled by 1/(1 − p), so the expected activation
 * is unchanged and evaluation is the identity (no rescaling at test time).
 * p is the DROP probability, 0 ≤ p < 1. A fresh mask is drawn from rng on every training forward.
 * In evaluation (or with p = 0) forward returns x itself and backward returns dout itself.
 */
export class Dropout implements Layer {
  readonly kind = "dropout";
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  private readonly n: number;
  private readonly y: BatchBuffer;
  private readonly dx: BatchBuffer;
  /** Per element: 0 (dropped) or 1/(1 − p) (kept), for the last training forward. */
  private readonly mask: BatchBuffer;
  private batch = 0;
  private masked = false;

  constructor(inShape: readonly number[], readonly p: number, private readonly rng: Rng) {
    if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
    this.inShape = [...inShape];
    this.outShape = this.inShape;
    this.n = sizeOf(inShape);
    this.y = new BatchBuffer(this.n);
    this.dx = new BatchBuffer(this.n);
    this.mask = new BatchBuffer(this.n);
  }

  forward(x: Float32Array, batch: number, training: boolean): Float32Array {
    checkBatch(this.kind, x, batch, this.n);
    this.batch = batch;
    this.masked = training && this.p > 0;
    if (!this.masked) return x;
    const count = batch * this.n;
    const y = this.y.get(batch);
    const mask = this.mask.get(batch);
    // One seed per step from this.rng, then the mask's mulberry32 stream in the kernel (WebAssembly,
    // twin dropoutForwardRef): masks are a pure function of the model's seed, as before the kernel.
    const seed = Math.floor(this.rng.uniform() * 4294967296) >>> 0;
    dropoutForward(x, y, mask, count, seed, 1 - this.p);
    return y;
  }

  backward(dout: Float32Array): Float32Array {
    if (!this.masked) return dout;
    const dx = this.dx.get(this.batch);
    const mask = this.mask.get(this.batch);
    dropoutBackward(dout, mask, dx, dx.length);
    return dx;
  }

  params(): Param[] {
    return [];
  }
}
