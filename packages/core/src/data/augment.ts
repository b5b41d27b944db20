import type { Augment } from "@hps/contracts";
import { alloc } from "../kernels/index.ts";
import type { Rng } from "../rng.ts";

/**
 * Data augmentation for image batches [batch, C, H, W] (CS231n lecture 7), training only, seeded:
 *  - random crop: the image is zero-padded by `cropPad` pixels on each side and an H×W window is
 *    taken at a uniformly random offset (equivalently: shift by dx, dy ∈ [−pad, pad], filling with 0).
 *    "Zero" is in the space the network sees: after zero_center/normalize it is the train mean.
 *  - horizontal flip with probability ½. Mirrored digits are not digits (a flipped 2 is no 2):
 *    it is odd for mnist, but it is what the spec's `flip` asks for, so it is applied when set.
 *  - brightness: adds one U(−b, b) draw to every pixel of a sample.
 * Per sample the draws are, in order: dx, dy (if cropPad > 0), flip (if flip), brightness (if b > 0).
 * The output goes into one buffer owned by the augmenter, reused across batches (it grows only).
 */
export class Augmenter {
  private out: Float32Array = alloc(0);
  readonly enabled: boolean;

  constructor(readonly shape: readonly number[], readonly spec: Augment, private readonly rng: Rng) {
    if (shape.length !== 3) throw new RangeError(`augment: needs image samples [C, H, W], got [${shape}]`);
    this.enabled = spec.cropPad > 0 || spec.flip || spec.brightness > 0;
  }

  /** Augments the first `batch` samples of x; returns the augmenter's buffer (or x itself when nothing is enabled). */
  apply(x: Float32Array, batch: number): Float32Array {
    if (!this.enabled) return x;
    const [C, H, W] = this.shape;
    const per = C * H * W;
    if (this.out.length < batch * per) this.out = alloc(batch * per);
    const out = this.out.length === batch * per ? this.out : this.out.subarray(0, batch * per);
    const { cropPad: pad, flip, brightness: b } = this.spec;
    const rng = this.rng;
    for (let s = 0; s < batch; s++) {
      const dx = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
      const dy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
      const mirror = flip && rng.uniform() < 0.5;
      const shift = b > 0 ? (2 * rng.uniform() - 1) * b : 0;
      const base = s * per;
      for (let c = 0; c < C; c++) {
        const plane = base + c * H * W;
        for (let i = 0; i < H; i++) {
          const si = i + dy;
          const row = plane + i * W;
          if (si < 0 || si >= H) {
            out.fill(shift, row, row + W);
            continue;
          }
          const srow = plane + si * W;
          for (let j = 0; j < W; j++) {
            const jj = mirror ? W - 1 - j : j; // output column j shows source column jj + dx
            const sj = jj + dx;
            out[row + j] = (sj >= 0 && sj < W ? x[srow + sj] : 0) + shift;
          }
        }
      }
    }
    return out;
  }
}
