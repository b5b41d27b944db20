/** Plain-TypeScript twin of the countCorrect kernel (count-correct.ts, WAT in wat/count-correct.ts). */

/** Rows of a batch whose highest score (first one on ties) is the label. scores [batch, classes]. */
export function countCorrectRef(scores: Float32Array, labels: Int32Array, batch: number, classes: number): number {
  let correct = 0;
  for (let i = 0, o = 0; i < batch; i++, o += classes) {
    let best = 0;
    let top = scores[o]!;
    for (let j = 1; j < classes; j++) {
      const s = scores[o + j]!;
      if (s > top) {
        top = s;
        best = j;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct;
}
