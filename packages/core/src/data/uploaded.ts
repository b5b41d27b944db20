import type { Rng } from "../rng.ts";
import { type Dataset, takeRows } from "./dataset.ts";

/**
 * The rows of an uploaded dataset as training gets them: X [rows, prod(inputShape)] float32,
 * Y class indices. `key` (the content's sha256) names it in caches: equal keys, equal data.
 * inputShape is [features] for tabular data, [C, H, W] for images (`shape` at upload).
 */
export interface DataSource {
  key: string;
  X: Float32Array;
  Y: Int32Array;
  inputShape: number[];
  classes: number;
}

/**
 * The seeded split of an uploaded dataset, as for the built-in sets: the row order is shuffled
 * by `rng`, the first trainSize rows become train and the next valSize val (the rest are unused,
 * e.g. a test set the user keeps for later). Throws RangeError when the rows do not suffice.
 */
export function loadUploaded(src: DataSource, trainSize: number, valSize: number, rng: Rng): Dataset {
  const rows = src.Y.length;
  if (trainSize + valSize > rows) throw new RangeError(`trainSize + valSize = ${trainSize + valSize} exceeds the ${rows} rows of the dataset`);
  const dim = src.inputShape.reduce((a, b) => a * b, 1);
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  rng.shuffle(order);
  const train = takeRows(src.X, src.Y, dim, order, 0, trainSize);
  const val = takeRows(src.X, src.Y, dim, order, trainSize, trainSize + valSize);
  return { trainX: train.X, trainY: train.Y, valX: val.X, valY: val.Y, inputShape: [...src.inputShape], classes: src.classes };
}
