import type { Init } from "@hps/contracts";
import { ACT_IDENTITY, type Activation, actBackwardColSum, colSum, gemmActBackward, gemmBiasAct, sgemm } from "../kernels/index.ts";
import type { Layer, Param } from "../layer.ts";
import type { Rng } from "../rng.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch, makeParam, sizeOf } from "./layer-kit.ts";
import { initWeights } from "./init.ts";

/** What backward returns when asked not to compute the input gradient. */
const NO_INPUT_GRAD = new Float32Array(0);

export interface AffineOptions {
  /** Output features. */
  out: number;
  /** Weight init (default "he"); see init.ts. */
  init?: Init;
  /** Standard deviation of the "small" init (default 0.01). */
  initStd?: number;
  /** Draws the initial weights. Without it W starts at zero (for loading or tests). */
  rng?: Rng;
  /** Param name prefix within the model, e.g. "0" → "0.W", "0.b". */
  name?: string;
}

/**
 * Fully connected layer: y = x·W + b.
 * x is [batch, in] where in = prod(inShape) (an image input is flattened in NCHW order, like
 * PyTorch's nn.Flatten); W is [in, out], row-major (PyTorch's nn.Linear weight transposed);
 * b is [out]; y is [batch, out]. W decays under L2, b does not.
 */
export class Affine implements Layer {
  readonly kind = "affine";
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly W: Param;
  readonly b: Param;
  private readonly nIn: number;
  private readonly nOut: number;
  private readonly y: BatchBuffer;
  private readonly dx: BatchBuffer;
  /** Gradient at x·W + b when an activation is fused (dout ⊙ act'(y)); allocated only then. */
  private readonly dz: BatchBuffer;
  private x: Float32Array = new Float32Array(0);
  private out: Float32Array = new Float32Array(0);
  private batch = 0;
  /** Activation applied in the bias pass (identity unless fused with the next layer). */
  private act: Activation = ACT_IDENTITY;
  private slope = 0;
  /** The affine below whose fused activation this layer's dx goes through (see takeGradientOf). */
  private below: Affine | null = null;
  /** Set when the affine above computes this layer's dout through the activation (and db). */
  private gradFromAbove = false;

  constructor(inShape: readonly number[], opts: AffineOptions) {
    if (!Number.isInteger(opts.out) || opts.out < 1) throw new RangeError(`affine: out must be a positive integer, got ${opts.out}`);
    this.inShape = [...inShape];
    this.outShape = [opts.out];
    this.nIn = sizeOf(inShape);
    this.nOut = opts.out;
    this.W = makeParam(opts.name, "W", [this.nIn, this.nOut], true);
    this.b = makeParam(opts.name, "b", [this.nOut], false);
    if (opts.rng) initWeights(this.W.value, this.nIn, opts.init ?? "he", opts.rng, opts.initStd);
    this.y = new BatchBuffer(this.nOut);
    this.dx = new BatchBuffer(this.nIn);
    this.dz = new BatchBuffer(this.nOut);
  }

  forward(x: Float32Array, batch: number, _training?: boolean): Float32Array {
    checkBatch(this.kind, x, batch, this.nIn);
    const { nIn, nOut } = this;
    const y = this.y.get(batch);
    // y = act(x·W + b) in one kernel call (bias and act in the GEMM's store for nIn ≤ 4).
    gemmBiasAct({ transA: false, transB: false, M: batch, N: nOut, K: nIn, A: x, B: this.W.value, C: y, bias: this.b.value, act: this.act, slope: this.slope });
    this.x = x;
    this.out = y;
    this.batch = batch;
    return y;
  }

  /**
   * Makes this layer compute act(x·W + b) and its backward take the gradient with respect to that
   * output, so the activation layer after it passes values and gradients through unchanged (see
   * Elementwise.fuseIntoPrevious): one pass over memory less each way, and act' is applied in the
   * pass that sums the bias gradient. Bit-identical to the two layers run separately.
   */
  fuseActivation(act: Activation, slope: number): void {
    this.act = act;
    this.slope = slope;
  }

  /**
   * With `below` an affine whose fused activation feeds this layer (through a pass-through activation
   * layer): backward computes dx already multiplied by that activation's derivative, together with
   * below's bias gradient, in the GEMM that makes dx (gemmActBackward), and below's backward then
   * starts from it. Bit-identical to the separate passes.
   */
  takeGradientOf(below: Affine): void {
    if (below.act === ACT_IDENTITY) throw new Error("affine: the layer below has no fused activation");
    this.below = below;
    below.gradFromAbove = true;
  }

  /**
   * inputGrad = false skips dx (a third of the layer's FLOPs) and returns an empty array: for the
   * first layer of a model, whose input is data (PyTorch skips it the same way).
   */
  backward(dout: Float32Array, inputGrad = true): Float32Array {
    const { nIn, nOut, batch, x } = this;
    if (this.gradFromAbove) {
      // dout is already at x·W + b, and db was summed by the affine above (takeGradientOf).
    } else if (this.act !== ACT_IDENTITY) {
      // Fused activation: dout is at act(z); dz = dout ⊙ act'(z) read off the output, and db = Σ_rows dz.
      const dz = this.dz.get(batch);
      actBackwardColSum(dout, 0, this.out, 0, dz, 0, batch, nOut, this.act, this.slope, this.b.grad, 0);
      dout = dz;
    } else {
      // db = Σ_rows dout.
      colSum(dout, 0, batch, nOut, this.b.grad, 0, 0);
    }
    // dW = xᵀ·dout: [in, batch]·[batch, out].
    sgemm(true, false, nIn, nOut, batch, x, 0, dout, 0, this.W.grad, 0, 0);
    if (!inputGrad) return NO_INPUT_GRAD;
    // dx = dout·Wᵀ: [batch, out]·[out, in].
    const dx = this.dx.get(batch);
    const below = this.below;
    if (below) {
      // …times act'(below's output), with below's db = Σ_rows of that.
      gemmActBackward({
        transA: false, transB: true, M: batch, N: nIn, K: nOut, A: dout, B: this.W.value, C: dx,
        Y: below.out, act: below.act, slope: below.slope, sums: below.b.grad,
      });
    } else {
      sgemm(false, true, batch, nIn, nOut, dout, 0, this.W.value, 0, dx, 0, 0);
    }
    return dx;
  }

  params(): Param[] {
    return [this.W, this.b];
  }
}
