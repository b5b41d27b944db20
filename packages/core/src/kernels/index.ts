/**
 * The hot kernels the layers call. Each has a plain-TypeScript reference twin
 * (same signature) that tests compare the fast path against.
 * `alloc` hands out buffers the fast path can use without copying.
 */
import { sgemmRef } from "./gemm-ref.ts";

/** A zeroed float32 buffer of n elements. All layer/optimizer buffers come from here. */
export function alloc(n: number): Float32Array {
  return new Float32Array(n);
}

/** See gemm-ref.ts for the exact contract. */
export const sgemm = sgemmRef;
export { sgemmRef };
