/** Plain-TypeScript twin of the augmentSample kernel (augment.ts, WAT in wat/augment.ts). */

/** How one sample moves: shift by (dx, dy) pixels (zero fill), optional horizontal mirror, brightness offset. */
export interface SampleAugment {
  dx: number;
  dy: number;
  mirror: boolean;
  /** Added to every pixel (float64, rounded to float32 with the pixel). */
  shift: number;
}

/**
 * out[c, i, j] = (x[c, i + dy, jj + dx], 0 outside the image) + shift with jj = mirror ? W − 1 − j : j,
 * for one [C, H, W] sample at xOff in x and outOff in out.
 */
export function augmentSampleRef(
  x: Float32Array, xOff: number, out: Float32Array, outOff: number, C: number, H: number, W: number, a: SampleAugment,
): void {
  const { dx, dy, mirror, shift } = a;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < H; i++) {
      const si = i + dy;
      const row = outOff + (c * H + i) * W;
      if (si < 0 || si >= H) {
        out.fill(shift, row, row + W);
        continue;
      }
      const srow = xOff + (c * H + si) * W;
      for (let j = 0; j < W; j++) {
        const sj = (mirror ? W - 1 - j : j) + dx; // output column j shows source column jj + dx
        out[row + j] = (sj >= 0 && sj < W ? x[srow + sj]! : 0) + shift;
      }
    }
  }
}
