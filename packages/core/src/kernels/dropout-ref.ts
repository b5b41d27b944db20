/**
 * Plain-TypeScript twins of the dropout kernels (dropout.ts, WAT in wat/dropout.ts).
 * The mask's random stream is mulberry32 seeded with `seed` (a 32-bit state): draw i hashes
 * seed + (i + 1)·0x6d2b79f5, and element i is kept iff its unsigned draw u < keep·2³².
 */

/** mask[i] = u_i < keep·2³² ? 1/keep (as float32) : 0 and y[i] = x[i]·mask[i] for n floats; 0 < keep < 1. */
export function dropoutForwardRef(x: Float32Array, y: Float32Array, mask: Float32Array, n: number, seed: number, keep: number): void {
  const threshold = keep * 4294967296;
  const scale = Math.fround(1 / keep);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const m = (t ^ (t >>> 14)) >>> 0 < threshold ? scale : 0;
    mask[i] = m;
    y[i] = x[i]! * m;
  }
}

/** dx[i] = dout[i]·mask[i] for n floats. */
export function dropoutBackwardRef(dout: Float32Array, mask: Float32Array, dx: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dout[i]! * mask[i]!;
}
