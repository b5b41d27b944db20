import type { Layer, Param } from "../layer.ts";
import { checkBatch, sizeOf } from "./layer-kit.ts";

/**
 * [batch, C, H, W] → [batch, C·H·W] in NCHW order (PyTorch's nn.Flatten). The layout is already
 * flat, so only the shape changes: forward returns x itself and backward returns dout itself.
 */
export class Flatten implements Layer {
  readonly kind = "flatten";
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];

  constructor(inShape: readonly number[]) {
    this.inShape = [...inShape];
    this.outShape = [sizeOf(inShape)];
  }

  forward(x: Float32Array, batch: number, _training?: boolean): Float32Array {
    checkBatch(this.kind, x, batch, this.outShape[0]!);
    return x;
  }

  backward(dout: Float32Array): Float32Array {
    return dout;
  }

  params(): Param[] {
    return [];
  }
}
