import type { Layer, Param } from "../layer.ts";
import { Elementwise } from "../layers/activations.ts";
import { Affine } from "../layers/affine.ts";
import { BatchNorm } from "../layers/batch-norm.ts";
import { Conv } from "../layers/conv.ts";
import { sizeOf } from "../layers/layer-kit.ts";
import { decodeTensorsInto, encodeTensors, type Tensor } from "./serialize.ts";

/**
 * A network as an ordered list of layers (ConvNetJS's Net): forward runs them in order,
 * backward in reverse. Input is [batch, ...inShape]; output is the class scores [batch, classes].
 * Param names are "<layer index>.<tensor>" (e.g. "0.W"), set by the builder.
 */
export class Sequential {
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  private readonly paramList: Param[];

  constructor(readonly layers: readonly Layer[]) {
    if (layers.length === 0) throw new RangeError("sequential: needs at least one layer");
    for (let i = 1; i < layers.length; i++) {
      const prev = layers[i - 1]!.outShape;
      const next = layers[i]!.inShape;
      if (sizeOf(prev) !== sizeOf(next)) {
        throw new RangeError(`sequential: layer ${i - 1} (${layers[i - 1]!.kind}) outputs [${prev}] but layer ${i} (${layers[i]!.kind}) takes [${next}]`);
      }
    }
    fuseActivations(layers);
    this.inShape = layers[0]!.inShape;
    this.outShape = layers[layers.length - 1]!.outShape;
    this.paramList = layers.flatMap((l) => l.params());
    const names = new Set<string>();
    for (const p of [...this.paramList.map((q) => q.name), ...this.bufferList().map((b) => b.name)]) {
      if (names.has(p)) throw new RangeError(`sequential: two tensors are named "${p}"`);
      names.add(p);
    }
  }

  /** x is [batch, ...inShape]; returns the last layer's output (owned by that layer). */
  forward(x: Float32Array, batch: number, training: boolean): Float32Array {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, batch, training);
    return h;
  }

  /** dscores is [batch, ...outShape] for the last forward; fills every param's grad and returns dx. */
  backward(dscores: Float32Array, inputGrad = true): Float32Array {
    let d = dscores;
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i]!.backward(d, i > 0 || inputGrad);
    return d;
  }

  /** Every learnable tensor, in layer order (the same array each call). */
  params(): Param[] {
    return this.paramList;
  }

  /** Non-learned state saved with the model (batch-norm running statistics), in layer order. */
  buffers(): { name: string; value: Float32Array }[] {
    return this.bufferList();
  }

  /** Total number of learnable scalars. */
  paramCount(): number {
    let n = 0;
    for (const p of this.paramList) n += p.value.length;
    return n;
  }

  /**
   * All param values concatenated in params() order into out (allocated when absent), e.g. for
   * Polyak averaging: keep an average vector, and swap it in with setParamValues for evaluation.
   */
  paramValues(out?: Float32Array): Float32Array {
    const dst = out ?? new Float32Array(this.paramCount());
    if (dst.length !== this.paramCount()) throw new RangeError(`paramValues: need ${this.paramCount()} floats, got ${dst.length}`);
    let o = 0;
    for (const p of this.paramList) {
      dst.set(p.value, o);
      o += p.value.length;
    }
    return dst;
  }

  /** The inverse of paramValues: copies a concatenated vector back into the params. */
  setParamValues(src: Float32Array): void {
    if (src.length !== this.paramCount()) throw new RangeError(`setParamValues: need ${this.paramCount()} floats, got ${src.length}`);
    let o = 0;
    for (const p of this.paramList) {
      p.value.set(src.subarray(o, o + p.value.length));
      o += p.value.length;
    }
  }

  /**
   * Fine-tuning: freezes the params of the first n weight layers (affine or conv) together with
   * the batch norms that follow each of them; every later param is unfrozen. Frozen params still
   * get gradients (backward must reach earlier layers) but optimisers skip them. Frozen batch
   * norms keep updating their running statistics in training mode.
   */
  freeze(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`freeze: n must be a non-negative integer, got ${n}`);
    let weightLayers = 0;
    for (const layer of this.layers) {
      if (layer.kind === "affine" || layer.kind === "conv") weightLayers++;
      const frozen = weightLayers <= n && weightLayers > 0;
      for (const p of layer.params()) p.frozen = frozen;
    }
  }

  /** Every param and buffer in the model file format of serialize.ts (little-endian float32). */
  serialize(): Uint8Array {
    return encodeTensors(this.tensors());
  }

  /**
   * Restores params and buffers from serialize()'s bytes, bit for bit. Throws ModelFormatError,
   * leaving the model unchanged, when a name, kind or shape differs or the file is damaged.
   */
  load(bytes: Uint8Array): void {
    decodeTensorsInto(bytes, this.tensors());
  }

  private tensors(): Tensor[] {
    return [
      ...this.paramList.map((p): Tensor => ({ kind: "param", name: p.name, shape: p.shape, value: p.value })),
      ...this.bufferList().map((b): Tensor => ({ kind: "buffer", name: b.name, shape: [b.value.length], value: b.value })),
    ];
  }

  private bufferList(): { name: string; value: Float32Array }[] {
    return this.layers.flatMap((l) => (l.buffers ? l.buffers() : []));
  }
}

/**
 * Lets each Affine, Conv or BatchNorm apply the relu / leaky relu directly after it in its output pass, and the
 * Affine after an affine's activation (if any) take the gradient through it in its dx GEMM
 * (bit-identical, one pass over the activations less each way). The layers are owned by this model
 * from here on.
 */
function fuseActivations(layers: readonly Layer[]): void {
  for (let i = 0; i + 1 < layers.length; i++) {
    const prev = layers[i], next = layers[i + 1];
    if (!(prev instanceof Affine || prev instanceof Conv || prev instanceof BatchNorm) || !(next instanceof Elementwise)) continue;
    const f = next.kernelActivation();
    if (!f) continue;
    prev.fuseActivation(f.act, f.slope);
    next.fuseIntoPrevious();
    const above = layers[i + 2];
    if (prev instanceof Affine && above instanceof Affine) above.takeGradientOf(prev);
  }
}
