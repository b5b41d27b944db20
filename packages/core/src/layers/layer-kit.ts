/** What every layer needs: shape arithmetic, the batch guard and zeroed params from the arena. */
import { alloc } from "../kernels/index.ts";
import type { Param } from "../layer.ts";

/** Number of elements of a per-sample shape (1 for []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless x holds at least batch samples of perSample floats (a cheap guard against shape bugs). */
export function checkBatch(kind: string, x: Float32Array, batch: number, perSample: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`${kind}: batch must be a positive integer, got ${batch}`);
  if (x.length < batch * perSample) {
    throw new RangeError(`${kind}: input has ${x.length} floats, expected ${batch}×${perSample} = ${batch * perSample}`);
  }
}

/** A Param with zeroed value and grad from `alloc`. */
export function makeParam(prefix: string | undefined, tensor: string, shape: readonly number[], decay: boolean): Param {
  const n = sizeOf(shape);
  return {
    name: prefix ? `${prefix}.${tensor}` : tensor,
    shape: [...shape],
    value: alloc(n),
    grad: alloc(n),
    decay,
    frozen: false,
  };
}
