import { alloc } from "./kernels/index.ts";

/**
 * A layer- or loss-owned buffer of `perSample` floats per sample, sized for the current batch.
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
