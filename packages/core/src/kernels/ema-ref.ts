/** Plain-TypeScript twin of the emaUpdate kernel (ema.ts, WAT in wat/ema.ts). */

/** ema[i] = d·ema[i] + (1 − d)·w[i] for n values, in float64 (ema float64, w float32). */
export function emaUpdateRef(ema: Float64Array, w: Float32Array, n: number, d: number): void {
  for (let i = 0; i < n; i++) ema[i] = d * ema[i]! + (1 - d) * w[i]!;
}
