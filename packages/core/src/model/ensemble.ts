import type { LoadedModel } from "./model-file.ts";

/**
 * An ensemble's accuracy (CS231n lecture 7: averaging several models' predictions typically adds
 * ~2%): the mean of the members' class probabilities on raw rows X [n, features], argmax (first on
 * ties) against Y. Also each member's own accuracy on the same rows, in member order.
 */
export function ensembleAccuracy(members: readonly LoadedModel[], X: Float32Array, Y: Int32Array): { accuracy: number; memberAccuracies: number[] } {
  if (members.length === 0) throw new RangeError("ensemble: no members");
  const n = Y.length;
  const k = members[0]!.classes;
  const mean = new Float64Array(n * k);
  const memberAccuracies = members.map((m) => {
    if (m.classes !== k) throw new RangeError(`ensemble: members disagree on the class count (${m.classes} vs ${k})`);
    const { probabilities, predictions } = m.predict(X);
    for (let i = 0; i < mean.length; i++) mean[i] += probabilities[i]! / members.length;
    let correct = 0;
    for (let i = 0; i < n; i++) if (predictions[i] === Y[i]) correct++;
    return correct / n;
  });
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (mean[i * k + j]! > mean[i * k + best]!) best = j;
    if (best === Y[i]) correct++;
  }
  return { accuracy: correct / n, memberAccuracies };
}
