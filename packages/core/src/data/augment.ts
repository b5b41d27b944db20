import type { Augment } from "@hps/contracts";
import { alloc, augmentSample, type SampleAugment } from "../kernels/index.ts";
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
  /** One sample's draws, reused (no allocation per sample). */
  private readonly draw: SampleAugment = { dx: 0, dy: 0, mirror: false, shift: 0 };
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
    const a = this.draw;
    for (let s = 0; s < batch; s++) {
      a.dx = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
      a.dy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
      a.mirror = flip && rng.uniform() < 0.5;
      a.shift = b > 0 ? (2 * rng.uniform() - 1) * b : 0;
      augmentSample(x, s * per, out, s * per, C, H, W, a); // WebAssembly; twin augmentSampleRef
    }
    return out;
  }
}
