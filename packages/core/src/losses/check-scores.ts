/** Throws unless scores hold batch×classes floats and there are batch labels (the labels' values are not checked). */
export function checkScoreShape(kind: string, scores: Float32Array, labels: Int32Array, batch: number, classes: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`${kind}: batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`${kind}: classes must be an integer ≥ 2, got ${classes}`);
  if (scores.length < batch * classes) throw new RangeError(`${kind}: scores have ${scores.length} floats, expected ${batch}×${classes}`);
  if (labels.length < batch) throw new RangeError(`${kind}: ${labels.length} labels for a batch of ${batch}`);
}

/** The error for a label outside [0, classes) (the message checkScores throws). */
export function badLabel(kind: string, label: number, sample: number, classes: number): RangeError {
  return new RangeError(`${kind}: label ${label} of sample ${sample} is not in [0, ${classes})`);
}

/** Throws unless scores hold batch×classes floats and every label is an integer class in [0, classes). */
export function checkScores(kind: string, scores: Float32Array, labels: Int32Array, batch: number, classes: number): void {
  checkScoreShape(kind, scores, labels, batch, classes);
  for (let i = 0; i < batch; i++) {
    const y = labels[i];
    if (y < 0 || y >= classes) throw badLabel(kind, y, i, classes);
  }
}
