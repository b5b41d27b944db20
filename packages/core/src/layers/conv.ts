import type { Init } from "@hps/contracts";
import {
  ACT_IDENTITY, type Activation, channelsToSamplesAct, col2im, convGeometry, im2col, samplesToChannelsAct, sgemm, type ConvGeometry,
} from "../kernels/index.ts";
import type { Layer, Param } from "../layer.ts";
import type { Rng } from "../rng.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch, makeParam } from "./layer-kit.ts";
import { initWeights } from "./init.ts";
import { convChunk, convOutSize } from "./window.ts";

/** What backward returns when asked not to compute the input gradient. */
const NO_INPUT_GRAD = new Float32Array(0);

export interface ConvOptions {
  /** Number of filters F (output channels). */
  filters: number;
  /** Filter height = width K. */
  size: number;
  /** Stride S (default 1). */
  stride?: number;
  /** Zero padding P on every side (default 0). */
  pad?: number;
  /** Weight init (default "he", fanIn = C·K·K); see init.ts. */
  init?: Init;
  initStd?: number;
  /** Draws the initial weights. Without it W starts at zero (for loading or tests). */
  rng?: Rng;
  /** Param name prefix within the model, e.g. "0" → "0.W", "0.b". */
  name?: string;
  /** Samples lowered per chunk (default: as many as fit CONV_SCRATCH_FLOATS; tests set it small). */
  chunk?: number;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch's nn.Conv2d with groups = 1, dilation = 1).
 * x is [batch, C, H, W]; W is [F, C, K, K] (PyTorch's layout); b is [F];
 * y is [batch, F, Ho, Wo] with Ho = (H + 2P − K)/S + 1 (likewise Wo), which must be a whole number
 * (CS231n: a filter that does not tile the padded input is a design error, not silently cropped).
 *
 * Lowered to one GEMM per direction for the whole batch (im2col, as in Caffe / CS231n's fast
 * layers): cols is [C·K·K, batch·Ho·Wo] (row r = (c, ki, kj), column q = (n, oy, ox)), and
 *   forward   Y' = W·cols           [F, batch·Ho·Wo], then Y'[f, (n, p)] → y[n, f, p] + b[f]
 *   backward  dW = dY'·colsᵀ,  db = Σ_q dY',  dcols = Wᵀ·dY',  dx = col2im(dcols).
 * The lowering runs on chunks of samples (convChunk: at most CONV_SCRATCH_FLOATS of scratch), so its
 * memory does not grow with the batch. When the whole batch is one chunk (the common case), cols is
 * kept from forward to backward; otherwise backward recomputes each chunk's im2col from the input
 * and accumulates dW and db over the chunks.
 * A relu / leaky relu right after the layer is fused in (Sequential, `fuseActivation`): the layout
 * change applies it with the bias, and backward takes act' off the output in the pass that sums db.
 */
export class Conv implements Layer {
  readonly kind = "conv";
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly W: Param;
  readonly b: Param;
  readonly stride: number;
  readonly pad: number;
  /** C, H, W, K (= KH = KW), stride, pad and the output size OH, OW. */
  private readonly g: ConvGeometry;
  private readonly F: number;
  private readonly y: BatchBuffer;
  private readonly dx: BatchBuffer;
  /** im2col of the last input, [C·K·K, batch·Ho·Wo]. */
  private readonly cols: BatchBuffer;
  /** Scratch in the GEMM's channel-major layout [F, chunk·Ho·Wo] (Y' forward, dY' backward). */
  private readonly fq: BatchBuffer;
  /** A chunk's bias-gradient sums [F], added into b.grad. */
  private readonly db: BatchBuffer;
  /** Samples per chunk. */
  private readonly chunk: number;
  private batch = 0;
  /** The last forward input (backward re-lowers it chunk by chunk when the batch spans several). */
  private x: Float32Array = NO_INPUT_GRAD;
  /** Activation applied with the bias (identity unless fused with the next layer). */
  private act: Activation = ACT_IDENTITY;
  private slope = 0;

  constructor(inShape: readonly number[], opts: ConvOptions) {
    if (inShape.length !== 3) throw new RangeError(`conv: inShape must be [C, H, W], got [${inShape}]`);
    const [C, H, W] = inShape as [number, number, number];
    const F = opts.filters;
    const K = opts.size;
    const S = opts.stride ?? 1;
    const P = opts.pad ?? 0;
    for (const [what, v, min] of [["filters", F, 1], ["size", K, 1], ["stride", S, 1], ["pad", P, 0]] as const) {
      if (!Number.isInteger(v) || v < min) throw new RangeError(`conv: ${what} must be an integer ≥ ${min}, got ${v}`);
    }
    const where = opts.name === undefined ? "conv" : `conv ${opts.name}`;
    const Ho = convOutSize(where, H, K, S, P);
    const Wo = convOutSize(where, W, K, S, P);
    this.inShape = [C, H, W];
    this.outShape = [F, Ho, Wo];
    this.g = convGeometry(C, H, W, K, K, S, P);
    this.F = F;
    this.stride = S;
    this.pad = P;
    const ckk = C * K * K;
    this.W = makeParam(opts.name, "W", [F, C, K, K], true);
    this.b = makeParam(opts.name, "b", [F], false);
    if (opts.rng) initWeights(this.W.value, ckk, opts.init ?? "he", opts.rng, opts.initStd);
    this.y = new BatchBuffer(F * Ho * Wo);
    this.dx = new BatchBuffer(C * H * W);
    this.cols = new BatchBuffer(ckk * Ho * Wo);
    this.fq = new BatchBuffer(F * Ho * Wo);
    this.db = new BatchBuffer(F);
    this.chunk = opts.chunk ?? convChunk((ckk + F) * Ho * Wo);
    if (!Number.isInteger(this.chunk) || this.chunk < 1) throw new RangeError(`conv: chunk must be an integer ≥ 1, got ${opts.chunk}`);
  }

  forward(x: Float32Array, batch: number, _training?: boolean): Float32Array {
    const { C, H, W, KH, OH, OW } = this.g;
    const F = this.F;
    checkBatch(this.kind, x, batch, C * H * W);
    const ckk = C * KH * KH;
    const PQ = OH * OW;
    const y = this.y.get(batch);
    for (let n0 = 0; n0 < batch; n0 += this.chunk) {
      const n = Math.min(this.chunk, batch - n0);
      const cols = this.cols.get(n);
      this.im2col(x, n0, n, cols);
      const fq = this.fq.get(n);
      sgemm(false, false, F, n * PQ, ckk, this.W.value, 0, cols, 0, fq, 0, 0);
      // y[n, f, p] = act(Y'[f, n·PQ + p] + b[f]) (WebAssembly; twin channelsToSamplesActRef).
      channelsToSamplesAct(fq, y.subarray(n0 * F * PQ), F, n, PQ, this.b.value, this.act, this.slope);
    }
    this.batch = batch;
    this.x = x;
    return y;
  }

  /** inputGrad = false skips dcols and col2im and returns an empty array (first layer: input is data). */
  backward(dout: Float32Array, inputGrad = true): Float32Array {
    const { C, H, W, KH, OH, OW } = this.g;
    const { F, batch } = this;
    const ckk = C * KH * KH;
    const PQ = OH * OW;
    const chunked = batch > this.chunk;
    const dx = inputGrad ? this.dx.get(batch) : NO_INPUT_GRAD;
    for (let n0 = 0; n0 < batch; n0 += this.chunk) {
      const n = Math.min(this.chunk, batch - n0);
      const Q = n * PQ;
      const cols = this.cols.get(n);
      if (chunked) this.im2col(this.x, n0, n, cols); // one chunk: cols still holds forward's lowering
      const fq = this.fq.get(n);
      // dY'[f, n·PQ + p] = dout[n, f, p]·act'(y[n, f, p]) and db[f] = Σ_{n,p} of it (WebAssembly; twin samplesToChannelsActRef).
      const db = n0 === 0 ? this.b.grad : this.db.get(1);
      const at = n0 * F * PQ;
      samplesToChannelsAct(dout.subarray(at), this.y.get(batch).subarray(at), fq, F, n, PQ, db, this.act, this.slope);
      if (n0 > 0) for (let f = 0; f < F; f++) this.b.grad[f]! += db[f]!;
      // dW [F, CKK] (+)= dY' [F, Q] · colsᵀ [Q, CKK].
      sgemm(false, true, F, ckk, Q, fq, 0, cols, 0, this.W.grad, 0, n0 === 0 ? 0 : 1);
      if (!inputGrad) continue;
      // dcols [CKK, Q] = Wᵀ [CKK, F] · dY' [F, Q]; cols is dead after dW, so it holds dcols.
      sgemm(true, false, ckk, Q, F, this.W.value, 0, fq, 0, cols, 0, 0);
      this.col2im(cols, n, dx.subarray(n0 * C * H * W));
    }
    return dx;
  }

  params(): Param[] {
    return [this.W, this.b];
  }

  /**
   * Makes this layer compute act(conv + b), with backward taking the gradient with respect to that
   * output; the activation layer after it then passes values and gradients through (see
   * Elementwise.fuseIntoPrevious). Bit-identical to the two layers run separately.
   */
  fuseActivation(act: Activation, slope: number): void {
    this.act = act;
    this.slope = slope;
  }

  /** cols[(c, ki, kj), (j, oy, ox)] = x[n0 + j, c, oy·S − P + ki, ox·S − P + kj], 0 outside the image (j < n). */
  private im2col(x: Float32Array, n0: number, n: number, cols: Float32Array): void {
    const g = this.g;
    const PQ = g.OH * g.OW;
    const chw = g.C * g.H * g.W;
    for (let j = 0; j < n; j++) im2col(g, x, (n0 + j) * chw, cols, j * PQ, n * PQ);
  }

  /** The adjoint of im2col over n samples: dx[j, c, iy, ix] = Σ of the dcols entries that read that pixel. */
  private col2im(dcols: Float32Array, n: number, dx: Float32Array): void {
    const g = this.g;
    const PQ = g.OH * g.OW;
    const chw = g.C * g.H * g.W;
    for (let j = 0; j < n; j++) col2im(g, dcols, j * PQ, dx, j * chw, n * PQ);
  }
}
