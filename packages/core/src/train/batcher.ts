import { alloc } from "../kernels/index.ts";
import type { Rng } from "../rng.ts";

/**
 * Mini-batches of a training set X [n, dim], Y [n]: each epoch a fresh seeded permutation, then
 * consecutive slices of batchSize rows gathered into buffers owned by the batcher (allocated once).
 * The last partial batch (n mod batchSize rows) is a smaller batch — except a single leftover row
 * when `dropSingleton` is set (batch norm cannot normalise one sample), which is skipped that epoch.
 */
export class Batcher {
  readonly order: Int32Array;
  private readonly xBuf: Float32Array;
  private readonly yBuf: Int32Array;
  private pos = 0;

  constructor(
    private readonly X: Float32Array, private readonly Y: Int32Array, readonly dim: number,
    readonly batchSize: number, private readonly rng: Rng, private readonly dropSingleton = false,
  ) {
    const n = Y.length;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    const b = Math.min(batchSize, n);
    this.xBuf = alloc(b * dim);
    this.yBuf = new Int32Array(b);
  }

  /** Starts an epoch: reshuffles the order. */
  shuffle(): void {
    this.rng.shuffle(this.order);
    this.pos = 0;
  }

  /** Number of batches one epoch yields. */
  batchesPerEpoch(): number {
    const n = this.Y.length;
    const full = Math.floor(n / this.batchSize);
    const rest = n - full * this.batchSize;
    return full + (rest > 1 || (rest === 1 && !this.dropSingleton) ? 1 : 0);
  }

  /** Gathers the next batch; returns its size (0 at the end of the epoch). x/y views stay valid until the next call. */
  next(): { size: number; x: Float32Array; y: Int32Array } | null {
    const n = this.Y.length;
    const size = Math.min(this.batchSize, n - this.pos);
    if (size <= 0 || (size === 1 && this.dropSingleton && n > 1)) return null;
    const { dim, X, Y, order, xBuf, yBuf } = this;
    for (let i = 0; i < size; i++) {
      const r = order[this.pos + i];
      xBuf.set(X.subarray(r * dim, r * dim + dim), i * dim);
      yBuf[i] = Y[r];
    }
    this.pos += size;
    if (size === yBuf.length) return { size, x: xBuf, y: yBuf };
    return { size, x: xBuf.subarray(0, size * dim), y: yBuf.subarray(0, size) };
  }
}
