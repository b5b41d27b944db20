import { alloc, allocInt32 } from "../kernels/index.ts";
import type { Rng } from "../rng.ts";

/** Row length (floats) from which a gathered row is copied with set(subarray) (a memcpy) instead of a loop. */
const ROW_COPY_MIN = 32;

/**
 * Mini-batches of a training set X [n, dim], Y [n]: each epoch a fresh seeded permutation, then
 * consecutive slices of batchSize rows gathered into buffers owned by the batcher (allocated once,
 * views for the partial batch made once: nothing is allocated per step).
 * The last partial batch (n mod batchSize rows) is a smaller batch — except a single leftover row
 * when `dropSingleton` is set (batch norm cannot normalise one sample), which is skipped that epoch.
 */
export class Batcher {
  readonly order: Int32Array;
  /** The current batch: `size` rows of x [size, dim] and y [size]; valid until the next `next()`. */
  x: Float32Array;
  y: Int32Array;
  size = 0;
  private readonly fullX: Float32Array;
  private readonly fullY: Int32Array;
  private readonly partX: Float32Array;
  private readonly partY: Int32Array;
  private pos = 0;

  constructor(
    private readonly X: Float32Array, private readonly Y: Int32Array, readonly dim: number,
    readonly batchSize: number, private readonly rng: Rng, private readonly dropSingleton = false,
  ) {
    const n = Y.length;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    const b = Math.min(batchSize, n);
    this.fullX = alloc(b * dim);
    this.fullY = allocInt32(b); // arena: the loss and countCorrect kernels read the labels in place
    const rest = n % b;
    this.partX = this.fullX.subarray(0, rest * dim);
    this.partY = this.fullY.subarray(0, rest);
    this.x = this.fullX;
    this.y = this.fullY;
  }

  /** Starts an epoch: reshuffles the order. */
  shuffle(): void {
    this.rng.shuffle(this.order);
    this.pos = 0;
  }

  /** Number of batches one epoch yields. */
  batchesPerEpoch(): number {
    const n = this.Y.length;
    const b = this.fullY.length;
    const rest = n % b;
    return Math.floor(n / b) + (rest > 1 || (rest === 1 && !this.dropSingleton) ? 1 : 0);
  }

  /** Gathers the next batch into x/y and returns its size; 0 at the end of the epoch. */
  next(): number {
    const n = this.Y.length;
    const size = Math.min(this.fullY.length, n - this.pos);
    if (size <= 0 || (size === 1 && this.dropSingleton && n > 1)) return (this.size = 0);
    const { dim, X, Y, order, fullX, fullY } = this;
    if (dim < ROW_COPY_MIN) {
      // Short rows (spiral: 2 floats): an element loop; set(subarray) would allocate a view per row.
      for (let i = 0, o = 0; i < size; i++, o += dim) {
        const r = order[this.pos + i];
        for (let k = 0, s = r * dim; k < dim; k++) fullX[o + k] = X[s + k];
        fullY[i] = Y[r];
      }
    } else {
      for (let i = 0; i < size; i++) {
        const r = order[this.pos + i];
        fullX.set(X.subarray(r * dim, r * dim + dim), i * dim);
        fullY[i] = Y[r];
      }
    }
    this.pos += size;
    this.size = size;
    const full = size === fullY.length;
    this.x = full ? fullX : this.partX;
    this.y = full ? fullY : this.partY;
    return size;
  }
}
