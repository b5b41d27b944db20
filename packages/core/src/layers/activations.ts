import { ACT_LEAKY_RELU, ACT_RELU, type Activation, actBackward, actForward } from "../kernels/index.ts";
import type { Layer, Param } from "../layer.ts";
import { BatchBuffer } from "../batch-buffer.ts";
import { checkBatch, sizeOf } from "./layer-kit.ts";

/**
 * Elementwise activations of CS231n lecture 6/7. Each keeps the shape, caches its input x and
 * output y from forward, and computes dx = dout ⊙ f'(·) from whichever of them is cheaper.
 * Subclasses implement the two bulk loops; the per-element work is never a virtual call.
 * Derivatives at kinks follow PyTorch: ReLU'(0) = 0, LeakyReLU'(0) = slope, ELU'(0) = α.
 */
export abstract class Elementwise implements Layer {
  abstract readonly kind: string;
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  protected readonly n: number;
  protected x: Float32Array = new Float32Array(0);
  protected y: Float32Array = new Float32Array(0);
  private count = 0;
  /** Set by `fuseIntoPrevious`: the layer before already applied f, so forward passes x through. */
  private applied = false;
  private readonly yBuf: BatchBuffer;
  private readonly dxBuf: BatchBuffer;

  constructor(inShape: readonly number[]) {
    this.inShape = [...inShape];
    this.outShape = this.inShape;
    this.n = sizeOf(inShape);
    this.yBuf = new BatchBuffer(this.n);
    this.dxBuf = new BatchBuffer(this.n);
  }

  /**
   * The kernel code of f when the WebAssembly biasAct kernel can apply it (relu, leaky relu), else
   * null. An Affine directly before such a layer applies it in its bias pass (see `fuseIntoPrevious`).
   */
  kernelActivation(): { act: Activation; slope: number } | null {
    return null;
  }

  /**
   * From now on the previous layer applies f and f' itself (Affine.fuseActivation): forward returns
   * its input and backward its gradient unchanged (no pass over memory). Only for layers with a
   * kernelActivation; the results are bit-identical.
   */
  fuseIntoPrevious(): void {
    if (!this.kernelActivation()) throw new Error(`${this.kind}: cannot be applied by the previous layer`);
    this.applied = true;
  }

  /** y[i] = f(x[i]) for i < count. */
  protected abstract apply(x: Float32Array, y: Float32Array, count: number): void;
  /** dx[i] = dout[i]·f'(x[i]) for i < count, using this.x / this.y. */
  protected abstract derive(dout: Float32Array, dx: Float32Array, count: number): void;

  forward(x: Float32Array, batch: number, _training?: boolean): Float32Array {
    checkBatch(this.kind, x, batch, this.n);
    this.count = batch * this.n;
    if (this.applied) {
      this.x = x; // already f(input)
      this.y = x;
      return x;
    }
    const y = this.yBuf.get(batch);
    this.apply(x, y, this.count);
    this.x = x;
    this.y = y;
    return y;
  }

  backward(dout: Float32Array): Float32Array {
    if (this.applied) return dout; // the previous layer applies f' too (Affine.fuseActivation)
    const dx = this.dxBuf.get(this.count / this.n);
    this.derive(dout, dx, this.count);
    return dx;
  }

  params(): Param[] {
    return [];
  }
}

/** max(0, x); NaN stays NaN (so a diverging run is still seen as non-finite). WebAssembly kernel. */
export class Relu extends Elementwise {
  readonly kind = "relu";
  override kernelActivation(): { act: Activation; slope: number } {
    return { act: ACT_RELU, slope: 0 };
  }
  protected apply(x: Float32Array, y: Float32Array, count: number): void {
    actForward(x, 0, y, 0, count, ACT_RELU, 0);
  }
  protected derive(dout: Float32Array, dx: Float32Array, count: number): void {
    actBackward(dout, 0, this.y, 0, dx, 0, count, ACT_RELU, 0); // y > 0 ⇔ x > 0
  }
}

/** x for x > 0, slope·x otherwise (CS231n: slope 0.01), 0 ≤ slope ≤ 1. WebAssembly kernel. */
export class LeakyRelu extends Elementwise {
  readonly kind = "leaky_relu";
  constructor(inShape: readonly number[], readonly slope = 0.01) {
    super(inShape);
    if (!(slope >= 0 && slope <= 1)) throw new RangeError(`leaky_relu: slope must be in [0, 1], got ${slope}`);
  }
  override kernelActivation(): { act: Activation; slope: number } {
    return { act: ACT_LEAKY_RELU, slope: this.slope };
  }
  protected apply(x: Float32Array, y: Float32Array, count: number): void {
    actForward(x, 0, y, 0, count, ACT_LEAKY_RELU, this.slope);
  }
  protected derive(dout: Float32Array, dx: Float32Array, count: number): void {
    // With slope ≥ 0, y > 0 ⇔ x > 0, so the kernel reads the derivative off the output.
    actBackward(dout, 0, this.y, 0, dx, 0, count, ACT_LEAKY_RELU, this.slope);
  }
}

/** x for x > 0, α(eˣ − 1) otherwise (Clevert et al. 2015); f'(x) = f(x) + α on the negative side. */
export class Elu extends Elementwise {
  readonly kind = "elu";
  constructor(inShape: readonly number[], readonly alpha = 1) {
    super(inShape);
  }
  protected apply(x: Float32Array, y: Float32Array, count: number): void {
    const a = this.alpha;
    for (let i = 0; i < count; i++) {
      const v = x[i];
      y[i] = v > 0 ? v : a * Math.expm1(v);
    }
  }
  protected derive(dout: Float32Array, dx: Float32Array, count: number): void {
    const { x, y } = this;
    const a = this.alpha;
    for (let i = 0; i < count; i++) dx[i] = x[i] > 0 ? dout[i] : dout[i] * (y[i] + a);
  }
}

/** 1 / (1 + e⁻ˣ); f' = y(1 − y). Evaluated without overflow for large |x|. */
export class Sigmoid extends Elementwise {
  readonly kind = "sigmoid";
  protected apply(x: Float32Array, y: Float32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const v = x[i];
      if (v >= 0) {
        y[i] = 1 / (1 + Math.exp(-v));
      } else {
        const e = Math.exp(v);
        y[i] = e / (1 + e);
      }
    }
  }
  protected derive(dout: Float32Array, dx: Float32Array, count: number): void {
    const y = this.y;
    for (let i = 0; i < count; i++) {
      const s = y[i];
      dx[i] = dout[i] * s * (1 - s);
    }
  }
}

/** tanh(x); f' = 1 − y². */
export class Tanh extends Elementwise {
  readonly kind = "tanh";
  protected apply(x: Float32Array, y: Float32Array, count: number): void {
    for (let i = 0; i < count; i++) y[i] = Math.tanh(x[i]);
  }
  protected derive(dout: Float32Array, dx: Float32Array, count: number): void {
    const y = this.y;
    for (let i = 0; i < count; i++) {
      const t = y[i];
      dx[i] = dout[i] * (1 - t * t);
    }
  }
}
