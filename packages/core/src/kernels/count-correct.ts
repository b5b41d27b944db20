/** countCorrect in WebAssembly (wat/count-correct.ts); the twin runs unless scores and labels are arena views. */
import { arenaAddress, kernels } from "./arena.ts";
import { countCorrectRef } from "./count-correct-ref.ts";

/** See countCorrectRef. */
export function countCorrect(scores: Float32Array, labels: Int32Array, batch: number, classes: number): number {
  if (scores.length < batch * classes || labels.length < batch) throw new RangeError(`countCorrect: needs ${batch * classes} scores and ${batch} labels`);
  const ps = arenaAddress(scores, 0), pl = arenaAddress(labels, 0);
  if (ps < 0 || pl < 0 || classes < 1) return countCorrectRef(scores, labels, batch, classes);
  return kernels.countCorrect(ps, pl, batch, classes);
}
