/**
 * softmaxXent: the WebAssembly kernel behind softmax-ref.ts's signature (contract there). It runs
 * when scores, labels and grad are arena views (from `alloc` / `allocInt32`); otherwise the call runs
 * the twin.
 */
import { arenaAddress, kernels } from "./arena.ts";
import { softmaxXentRef } from "./softmax-ref.ts";

/** See softmaxXentRef. */
export function softmaxXent(
  scores: Float32Array, labels: Int32Array, batch: number, classes: number, grad: Float32Array,
): number {
  const n = batch * classes;
  if (scores.length < n || grad.length < n || labels.length < batch) {
    throw new RangeError(`softmaxXent: needs ${n} scores and grads and ${batch} labels`);
  }
  const ps = arenaAddress(scores, 0), pl = arenaAddress(labels, 0), pg = arenaAddress(grad, 0);
  if (ps < 0 || pl < 0 || pg < 0) return softmaxXentRef(scores, labels, batch, classes, grad);
  return kernels.softmaxXent(ps, pl, batch, classes, pg);
}
