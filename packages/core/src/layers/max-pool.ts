import { allocInt32, maxPoolBackward, maxPoolForward, type PoolGeometry } from "../kernels/index.ts";
import type { Layer, Param } from "../layer.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch } from "./layer-kit.ts";
import { convOutSize } from "./window.ts";

export interface MaxPoolOptions {
  /** Window height = width. */
  size: number;
  /** Step between windows (CS231n's usual choice: equal to size, so windows do not overlap). */
  stride: number;
  /** Layer name within the model, used in error messages. */
  name?: string;
}

/**
 * Max pooling over size×size windows of each channel, no padding, as PyTorch's
 * nn.MaxPool2d(size, stride): x is [batch, C, H, W], y is [batch, C, Ho, Wo] with
 * Ho = (H − size)/stride + 1, which must be a whole number (as for Conv, windows must tile the input). The gradient goes to the first maximum of each window in
 * row-major order (PyTorch's tie rule); overlapping windows (stride < size) add up.
 */
export class MaxPool implements Layer {
  readonly kind = "max_pool";
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly size: number;
  readonly stride: number;
  private readonly C: number;
  private readonly H: number;
  private readonly W: number;
  private readonly Ho: number;
  private readonly Wo: number;
  private readonly y: BatchBuffer;
  private readonly dx: BatchBuffer;
  /** Per output element: the index of its winner within the input batch. */
  private arg: Int32Array = allocInt32(0);
  /** The kernels' view of the current batch (rebuilt only when the batch size changes). */
  private geometry: PoolGeometry = { planes: 0, H: 0, W: 0, size: 0, stride: 0, OH: 0, OW: 0 };
  private batch = 0;

  constructor(inShape: readonly number[], opts: MaxPoolOptions) {
    if (inShape.length !== 3) throw new RangeError(`max_pool: inShape must be [C, H, W], got [${inShape}]`);
    const [C, H, W] = inShape as [number, number, number];
    const { size, stride } = opts;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`max_pool: size must be a positive integer, got ${size}`);
    if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`max_pool: stride must be a positive integer, got ${stride}`);
    const where = opts.name === undefined ? "max_pool" : `max_pool ${opts.name}`;
    this.size = size;
    this.stride = stride;
    this.C = C;
    this.H = H;
    this.W = W;
    this.Ho = convOutSize(where, H, size, stride, 0);
    this.Wo = convOutSize(where, W, size, stride, 0);
    this.inShape = [C, H, W];
    this.outShape = [C, this.Ho, this.Wo];
    this.y = new BatchBuffer(C * this.Ho * this.Wo);
    this.dx = new BatchBuffer(C * H * W);
  }

  forward(x: Float32Array, batch: number, _training?: boolean): Float32Array {
    const { C, H, W, Ho, Wo, size, stride } = this;
    checkBatch(this.kind, x, batch, C * H * W);
    const y = this.y.get(batch);
    if (this.arg.length < y.length) this.arg = allocInt32(y.length);
    if (this.geometry.planes !== batch * C) this.geometry = { planes: batch * C, H, W, size, stride, OH: Ho, OW: Wo };
    // WebAssembly (twin maxPoolForwardRef: first max of each window in row-major order; NaN wins).
    maxPoolForward(this.geometry, x, y, this.arg);
    this.batch = batch;
    return y;
  }

  backward(dout: Float32Array): Float32Array {
    const dx = this.dx.get(this.batch);
    maxPoolBackward(this.geometry, dout, this.arg, dx);
    return dx;
  }

  params(): Param[] {
    return [];
  }
}
