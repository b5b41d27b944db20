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

/**
 * Floats of a conv layer's im2col + GEMM scratch ([C·K·K + F, chunk·OH·OW]): the batch is lowered in
 * chunks of samples that fit (at least one sample), so this memory no longer grows with the batch
 * size. 4 Mi floats = 16 MB, a few hundred 28×28 mnist samples of a 3×3/64 layer per GEMM: large
 * enough that the GEMMs stay at full speed.
 */
export const CONV_SCRATCH_FLOATS = 4 * 2 ** 20;

/** Samples per conv chunk for a layer whose scratch needs `perSample` floats per sample. */
export function convChunk(perSample: number): number {
  return Math.max(1, Math.floor(CONV_SCRATCH_FLOATS / perSample));
}
