/** augmentSample in WebAssembly (wat/augment.ts), bit-identical to its twin in augment-ref.ts. */
import { arenaAddress, kernels } from "./arena.ts";
import { type SampleAugment, augmentSampleRef } from "./augment-ref.ts";

/** See augmentSampleRef. Runs the twin unless x and out are arena views. */
export function augmentSample(
  x: Float32Array, xOff: number, out: Float32Array, outOff: number, C: number, H: number, W: number, a: SampleAugment,
): void {
  const n = C * H * W;
  if (xOff < 0 || outOff < 0 || x.length < xOff + n || out.length < outOff + n) throw new RangeError(`augmentSample: needs ${n} floats from the offsets`);
  const px = arenaAddress(x, xOff), po = arenaAddress(out, outOff);
  if (px < 0 || po < 0) return augmentSampleRef(x, xOff, out, outOff, C, H, W, a);
  kernels.augmentSample(px, po, C, H, W, a.dx, a.dy, a.mirror ? 1 : 0, a.shift);
}
