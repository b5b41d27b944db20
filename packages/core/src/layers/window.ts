/** Sliding-window arithmetic shared by conv and max-pool layers and by checkArchitecture (pure: no buffers, no kernels). */

/** (n + 2·pad − size)/stride + 1: the output length of a sliding window; may be fractional or ≤ 0. */
export function windowOutput(n: number, size: number, stride: number, pad: number): number {
  return (n + 2 * pad - size) / stride + 1;
}

/** windowOutput, or a RangeError naming the layer when it is not a positive integer. */
export function convOutSize(where: string, n: number, size: number, stride: number, pad: number): number {
  const out = windowOutput(n, size, stride, pad);
  if (n + 2 * pad < size) throw new RangeError(`${where}: a ${size}-wide window with pad ${pad} does not fit an input of ${n}`);
  if (!Number.isInteger(out)) throw new RangeError(`${where}: (${n} + 2·${pad} − ${size})/${stride} + 1 = ${out} is not an integer`);
  return out;
}
