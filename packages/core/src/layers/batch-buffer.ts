import { alloc } from "../kernels/index.ts";
import type { Param } from "../layer.ts";

/** Number of elements of a per-sample shape (1 for []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless x holds at least batch samples of perSample floats (a cheap guard against shape bugs). */
export function checkBatch(kind: string, x: Float32Array, batch: number, perSample: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`${kind}: batch must be a positive integer, got ${batch}`);
  if (x.length < batch * perSample) {
    throw new RangeError(`${kind}: input has ${x.length} floats, expected ${batch}×${perSample} = ${batch * perSample}`);
  }
}

/**
 * A layer-owned buffer of `perSample` floats per sample, sized for the current batch.
 * Storage comes from `alloc` and only grows, so a run with a fixed batch size allocates once;
 * `get` returns the same view object while the batch size is unchanged (no allocation per step).
 * The contents are undefined after the batch size changes.
 */
export class BatchBuffer {
  private data: Float32Array = alloc(0);
  private view: Float32Array = this.data;
  private batch = 0;

  constructor(readonly perSample: number) {}

  /** A view of exactly batch·perSample floats. */
  get(batch: number): Float32Array {
    if (batch !== this.batch) {
      const n = batch * this.perSample;
      if (n > this.data.length) this.data = alloc(n);
      this.view = n === this.data.length ? this.data : this.data.subarray(0, n);
      this.batch = batch;
    }
    return this.view;
  }
}

/** A Param with zeroed value and grad from `alloc`. */
export function makeParam(prefix: string | undefined, tensor: string, shape: readonly number[], decay: boolean): Param {
  const n = sizeOf(shape);
  return {
    name: prefix ? `${prefix}.${tensor}` : tensor,
    shape: [...shape],
    value: alloc(n),
    grad: alloc(n),
    decay,
    frozen: false,
  };
}
