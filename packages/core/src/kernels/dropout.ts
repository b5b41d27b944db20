/**
 * The dropout kernels (WebAssembly, wat/dropout.ts) behind the signatures of their twins in
 * dropout-ref.ts (the mask's random stream is defined there). Bit-identical to the twins; they run
 * when every buffer is an arena view, otherwise the twin runs.
 */
import { arenaAddress, kernels } from "./arena.ts";
import { dropoutBackwardRef, dropoutForwardRef } from "./dropout-ref.ts";

function need(kernel: string, arrays: Float32Array[], n: number): void {
  for (const a of arrays) if (!(n >= 0 && a.length >= n)) throw new RangeError(`${kernel}: needs ${n} floats, an array has ${a.length}`);
}

/** See dropoutForwardRef. */
export function dropoutForward(x: Float32Array, y: Float32Array, mask: Float32Array, n: number, seed: number, keep: number): void {
  need("dropoutForward", [x, y, mask], n);
  if (!(keep > 0 && keep < 1)) throw new RangeError(`dropoutForward: keep must be in (0, 1), got ${keep}`);
  const px = arenaAddress(x, 0), py = arenaAddress(y, 0), pm = arenaAddress(mask, 0);
  if (px < 0 || py < 0 || pm < 0) return dropoutForwardRef(x, y, mask, n, seed, keep);
  // u < keep·2³² ⇔ u ≤ ⌈keep·2³²⌉ − 1 for integer u; the bound is < 2³² because keep < 1.
  kernels.dropoutForward(px, py, pm, n, seed | 0, (Math.ceil(keep * 4294967296) - 1) | 0, Math.fround(1 / keep));
}

/** See dropoutBackwardRef. */
export function dropoutBackward(dout: Float32Array, mask: Float32Array, dx: Float32Array, n: number): void {
  need("dropoutBackward", [dout, mask, dx], n);
  const pd = arenaAddress(dout, 0), pm = arenaAddress(mask, 0), px = arenaAddress(dx, 0);
  if (pd < 0 || pm < 0 || px < 0) return dropoutBackwardRef(dout, mask, dx, n);
  kernels.dropoutBackward(pd, pm, px, n);
}
