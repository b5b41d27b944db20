import type { Init } from "@hps/contracts";
import {
  channelsToSamples, col2im, convGeometry, im2col, samplesToChannels, sgemm, type ConvGeometry,
} from "../kernels/index.ts";
import type { Layer, Param } from "../layer.ts";
import type { Rng } from "../rng.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch, makeParam } from "./layer-kit.ts";
import { initWeights } from "./init.ts";
import { convOutSize } from "./window.ts";

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
 * cols is kept from forward to backward: memory C·K·K·Ho·Wo floats per sample.
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
  /** Scratch in the GEMM's channel-major layout [F, batch·Ho·Wo] (Y' forward, dY' backward). */
  private readonly fq: BatchBuffer;
  private batch = 0;

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
  }

  forward(x: Float32Array, batch: number, _training?: boolean): Float32Array {
    const { C, H, W, KH, OH, OW } = this.g;
    const F = this.F;
    checkBatch(this.kind, x, batch, C * H * W);
    const ckk = C * KH * KH;
    const PQ = OH * OW;
    const Q = batch * PQ;
    const cols = this.cols.get(batch);
    this.im2col(x, batch, cols);
    const fq = this.fq.get(batch);
    sgemm(false, false, F, Q, ckk, this.W.value, 0, cols, 0, fq, 0, 0);
    const y = this.y.get(batch);
    // y[n, f, p] = Y'[f, n·PQ + p] + b[f] (WebAssembly; twin channelsToSamplesRef).
    channelsToSamples(fq, y, F, batch, PQ, this.b.value);
    this.batch = batch;
    return y;
  }

  /** inputGrad = false skips dcols and col2im and returns an empty array (first layer: input is data). */
  backward(dout: Float32Array, inputGrad = true): Float32Array {
    const { C, KH, OH, OW } = this.g;
    const { F, batch } = this;
    const ckk = C * KH * KH;
    const PQ = OH * OW;
    const Q = batch * PQ;
    const cols = this.cols.get(batch);
    const fq = this.fq.get(batch);
    // dY'[f, n·PQ + p] = dout[n, f, p] and db[f] = Σ_{n,p} dout[n, f, p] (WebAssembly; twin samplesToChannelsRef).
    samplesToChannels(dout, fq, F, batch, PQ, this.b.grad);
    // dW [F, CKK] = dY' [F, Q] · colsᵀ [Q, CKK].
    sgemm(false, true, F, ckk, Q, fq, 0, cols, 0, this.W.grad, 0, 0);
    if (!inputGrad) return NO_INPUT_GRAD;
    // dcols [CKK, Q] = Wᵀ [CKK, F] · dY' [F, Q]; cols is dead after dW, so it holds dcols.
    sgemm(true, false, ckk, Q, F, this.W.value, 0, fq, 0, cols, 0, 0);
    const dx = this.dx.get(batch);
    this.col2im(cols, batch, dx);
    return dx;
  }

  params(): Param[] {
    return [this.W, this.b];
  }

  /** cols[(c, ki, kj), (n, oy, ox)] = x[n, c, oy·S − P + ki, ox·S − P + kj], 0 outside the image. */
  private im2col(x: Float32Array, batch: number, cols: Float32Array): void {
    const g = this.g;
    const PQ = g.OH * g.OW;
    const chw = g.C * g.H * g.W;
    for (let n = 0; n < batch; n++) im2col(g, x, n * chw, cols, n * PQ, batch * PQ);
  }

  /** The adjoint of im2col: dx[n, c, iy, ix] = Σ of the dcols entries that read that pixel. */
  private col2im(dcols: Float32Array, batch: number, dx: Float32Array): void {
    const g = this.g;
    const PQ = g.OH * g.OW;
    const chw = g.C * g.H * g.W;
    for (let n = 0; n < batch; n++) col2im(g, dcols, n * PQ, dx, n * chw, batch * PQ);
  }
}
