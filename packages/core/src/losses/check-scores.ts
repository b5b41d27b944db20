/** Throws unless scores hold batch×classes floats and every label is an integer class in [0, classes). */
export function checkScores(kind: string, scores: Float32Array, labels: Int32Array, batch: number, classes: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`${kind}: batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`${kind}: classes must be an integer ≥ 2, got ${classes}`);
  if (scores.length < batch * classes) throw new RangeError(`${kind}: scores have ${scores.length} floats, expected ${batch}×${classes}`);
  if (labels.length < batch) throw new RangeError(`${kind}: ${labels.length} labels for a batch of ${batch}`);
  for (let i = 0; i < batch; i++) {
    const y = labels[i];
    if (y < 0 || y >= classes) throw new RangeError(`${kind}: label ${y} of sample ${i} is not in [0, ${classes})`);
  }
}
