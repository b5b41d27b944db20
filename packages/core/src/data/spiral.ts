import type { Rng } from "../rng.ts";
import { type Dataset, takeRows } from "./dataset.ts";

/**
 * CS231n's spiral (Neural Networks Case Study), D = 2, K classes (arms), N points per class:
 *   for class j: r = linspace(0, 1, N); t = linspace(4j, 4(j+1), N) + randn(N)·0.2
 *   X[j·N + i] = (r_i·sin t_i, r_i·cos t_i),  y = j
 * Returns X [K·N, 2] in class order; the noise draws from `rng`.
 */
export function spiralPoints(perClass: number, classes: number, rng: Rng): { X: Float32Array; Y: Int32Array } {
  const N = perClass;
  const X = new Float32Array(N * classes * 2);
  const Y = new Int32Array(N * classes);
  for (let j = 0; j < classes; j++) {
    for (let i = 0; i < N; i++) {
      const frac = N === 1 ? 0 : i / (N - 1); // linspace includes both ends
      const r = frac;
      const t = 4 * j + 4 * frac + rng.normal() * 0.2;
      const ix = j * N + i;
      X[2 * ix] = r * Math.sin(t);
      X[2 * ix + 1] = r * Math.cos(t);
      Y[ix] = j;
    }
  }
  return { X, Y };
}

/**
 * The spiral split into train/val: ⌈(trainSize + valSize)/classes⌉ points per class are generated,
 * shuffled by `rng`, and the first trainSize become train, the next valSize val (so both are drawn
 * from the same distribution and class counts differ by at most a few points).
 */
export function loadSpiral(trainSize: number, valSize: number, classes: number, rng: Rng): Dataset {
  const perClass = Math.ceil((trainSize + valSize) / classes);
  const { X, Y } = spiralPoints(perClass, classes, rng);
  const order = new Int32Array(Y.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  rng.shuffle(order);
  const train = takeRows(X, Y, 2, order, 0, trainSize);
  const val = takeRows(X, Y, 2, order, trainSize, trainSize + valSize);
  return { trainX: train.X, trainY: train.Y, valX: val.X, valY: val.Y, inputShape: [2], classes };
}
