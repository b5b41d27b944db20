import type { Layer, Param } from "../layer.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch, sizeOf } from "./layer-kit.ts";

/**
 * Maxout (Goodfellow et al. 2013) as the activation after an affine or conv layer with k times
 * as many outputs: unit j is the max of k consecutive pre-activations. inShape is [k·D] or
 * [k·C, H, W]; outShape is [D] or [C, H, W]; out[j, …] = max_{i<k} in[j·k + i, …], i.e. PyTorch's
 * x.view(N, D, k, …).amax(2). The gradient goes to the first maximal piece.
 * Maxout has no parameters of its own: the preceding layer holds the k linear pieces.
 */
export class Maxout implements Layer {
  readonly kind = "maxout";
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  private readonly inner: number;
  private readonly nIn: number;
  private readonly nOut: number;
  private readonly y: BatchBuffer;
  private readonly dx: BatchBuffer;
  /** For each output element, the offset of its winning input within the sample. */
  private arg = new Int32Array(0);
  private batch = 0;

  constructor(inShape: readonly number[], readonly pieces: number) {
    const [first, ...rest] = inShape;
    if (!Number.isInteger(pieces) || pieces < 2) throw new RangeError(`maxout: pieces must be an integer ≥ 2, got ${pieces}`);
    if (first === undefined || first % pieces !== 0) {
      throw new RangeError(`maxout: the first dimension of [${inShape}] must be a multiple of pieces = ${pieces}`);
    }
    this.inShape = [...inShape];
    this.outShape = [first / pieces, ...rest];
    this.inner = sizeOf(rest);
    this.nIn = sizeOf(inShape);
    this.nOut = sizeOf(this.outShape);
    this.y = new BatchBuffer(this.nOut);
    this.dx = new BatchBuffer(this.nIn);
  }

  forward(x: Float32Array, batch: number, _training?: boolean): Float32Array {
    checkBatch(this.kind, x, batch, this.nIn);
    const { nIn, nOut, inner, pieces } = this;
    const y = this.y.get(batch);
    if (this.arg.length < batch * nOut) this.arg = new Int32Array(batch * nOut);
    const arg = this.arg;
    const units = nOut / inner;
    for (let n = 0; n < batch; n++) {
      const xo = n * nIn;
      for (let j = 0; j < units; j++) {
        for (let p = 0; p < inner; p++) {
          const base = xo + j * pieces * inner + p; // (j·k + 0)·inner + p
          let best = base;
          let m = x[base];
          for (let i = 1, at = base + inner; i < pieces; i++, at += inner) {
            const v = x[at];
            if (v > m || (v !== v && m === m)) {
              m = v;
              best = at;
            }
          }
          const o = n * nOut + j * inner + p;
          y[o] = m;
          arg[o] = best - xo;
        }
      }
    }
    this.batch = batch;
    return y;
  }

  backward(dout: Float32Array): Float32Array {
    const { nIn, nOut, batch, arg } = this;
    const dx = this.dx.get(batch);
    dx.fill(0);
    for (let n = 0; n < batch; n++) {
      const xo = n * nIn;
      const oo = n * nOut;
      for (let o = 0; o < nOut; o++) dx[xo + arg[oo + o]] = dout[oo + o];
    }
    return dx;
  }

  params(): Param[] {
    return [];
  }
}
