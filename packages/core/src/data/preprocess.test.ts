import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import type { Dataset } from "./dataset.ts";
import { loadMnist } from "./mnist.ts";
import { NORMALIZE_EPS, covariance, covarianceEigen, moments, preprocess } from "./preprocess.ts";
import { symmetricEigen } from "./symmetric-eigen.ts";

/** Correlated 5-D gaussian data: x = z·M + offset, z ~ N(0, I). */
function correlated(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const M = [[2, 0.5, 0, 0, 1], [0, 1, 0.3, 0, 0], [0, 0, 0.5, 0.2, 0], [0, 0, 0, 0.3, 0.1], [0, 0, 0, 0, 0.2]];
  const X = new Float32Array(n * 5);
  for (let i = 0; i < n; i++) {
    const z = M.map(() => rng.normal());
    for (let j = 0; j < 5; j++) X[i * 5 + j] = 3 + j + z.reduce((s, zk, k) => s + zk * M[k][j], 0);
  }
  return X;
}

const ds = (): Dataset => ({
  trainX: correlated(2000, 1), trainY: new Int32Array(2000), valX: correlated(500, 2), valY: new Int32Array(500), inputShape: [5], classes: 2,
});

describe("preprocess (train statistics only)", () => {
  it("none returns the data unchanged", () => {
    const d = ds();
    expect(preprocess(d, "none")).toBe(d);
  });

  it("zero_center subtracts the train mean from train and val alike", () => {
    const d = ds();
    const p = preprocess(d, "zero_center");
    const trainMean = moments(d.trainX, 5).mean;
    moments(p.trainX, 5).mean.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    // val: shifted by exactly the TRAIN mean (its own mean is not zero).
    for (let j = 0; j < 5; j++) expect(p.valX[j]).toBeCloseTo(d.valX[j] - trainMean[j], 5);
    expect(Array.from(d.trainX.subarray(0, 5))).not.toEqual(Array.from(p.trainX.subarray(0, 5))); // input not modified in place
  });

  it("normalize gives unit variance on train and applies the same affine map to val", () => {
    const d = ds();
    const p = preprocess(d, "normalize");
    const { mean, variance } = moments(d.trainX, 5);
    // Unit variance up to the epsilon: var / (var + NORMALIZE_EPS).
    moments(p.trainX, 5).variance.forEach((v, j) => expect(v).toBeCloseTo(variance[j] / (variance[j] + NORMALIZE_EPS), 5));
    for (let j = 0; j < 5; j++) expect(p.valX[5 + j]).toBeCloseTo((d.valX[5 + j] - mean[j]) / Math.sqrt(variance[j] + NORMALIZE_EPS), 4);
  });

  it("pca keeps the top components: decorrelated train, variances = the top eigenvalues, fewer dims", () => {
    const d = ds();
    const p = preprocess(d, "pca", 3);
    expect(p.inputShape).toEqual([3]);
    expect(p.valX.length).toBe(500 * 3);
    const cov = covariance(p.trainX, 3);
    const { values } = symmetricEigen(covariance(preprocess(d, "zero_center").trainX, 5), 5);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      expect(cov[i * 3 + j]).toBeCloseTo(i === j ? values[i] : 0, 2);
    }
  });

  it("whiten gives ~identity covariance on train; val is transformed with the train statistics", () => {
    const d = ds();
    const p = preprocess(d, "whiten");
    const cov = covariance(p.trainX, 5);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(cov[i * 5 + j]).toBeCloseTo(i === j ? 1 : 0, 3);
    // Val comes from the same distribution: its covariance is near identity, but not exactly.
    const vcov = covariance(preprocess({ ...p, trainX: p.valX, trainY: p.valY }, "zero_center").trainX, 5);
    let off = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) off = Math.max(off, Math.abs(vcov[i * 5 + j] - (i === j ? 1 : 0)));
    expect(off).toBeGreaterThan(1e-3);
    expect(off).toBeLessThan(0.3);
  });

  it("handles constant features (left out of the eigen solve, eigenvalue 0, last)", () => {
    const d = ds();
    const X = new Float32Array(2000 * 6);
    for (let i = 0; i < 2000; i++) { X.set(d.trainX.subarray(i * 5, i * 5 + 5), i * 6 + 1); X[i * 6] = 7; }
    const { values, vectors } = covarianceEigen(preprocess({ ...d, trainX: X, inputShape: [6] }, "zero_center").trainX, 6);
    expect(values[5]).toBe(0);
    expect(Array.from(vectors.subarray(30, 36))).toEqual([1, 0, 0, 0, 0, 0]);
    for (let r = 0; r < 5; r++) expect(vectors[r * 6]).toBe(0);
    const ref = symmetricEigen(covariance(preprocess(d, "zero_center").trainX, 5), 5).values;
    for (let r = 0; r < 5; r++) expect(values[r]).toBeCloseTo(ref[r], 4);
  });

  it("rejects pcaComponents outside [1, features]", () => {
    expect(() => preprocess(ds(), "pca", 6)).toThrow(/pcaComponents = 6 must be an integer in \[1, 5\]/);
  });

  it("whitens mnist (784×784 covariance eigen-decomposition) to a flat [k] input", () => {
    const m = loadMnist(600, 100, new Rng(1));
    const p = preprocess(m, "whiten", 50);
    expect(p.inputShape).toEqual([50]);
    const cov = covariance(p.trainX, 50);
    for (let i = 0; i < 50; i++) expect(cov[i * 50 + i]).toBeCloseTo(1, 2);
  });
});

describe("symmetricEigen", () => {
  it("decomposes a symmetric matrix: A·v = λ·v, orthonormal vectors, descending values", () => {
    const n = 30;
    const rng = new Rng(3);
    const B = Array.from({ length: n * n }, () => rng.normal());
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = B[i * n + j] + B[j * n + i];
    const { values, vectors } = symmetricEigen(A, n);
    for (let a = 0; a < n; a++) {
      if (a > 0) expect(values[a]).toBeLessThanOrEqual(values[a - 1]);
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += A[i * n + k] * vectors[a * n + k];
        expect(av).toBeCloseTo(values[a] * vectors[a * n + i], 9);
      }
      let norm = 0;
      for (let k = 0; k < n; k++) norm += vectors[a * n + k] ** 2;
      expect(norm).toBeCloseTo(1, 12);
    }
    expect(symmetricEigen([4], 1).values[0]).toBe(4);
  });
});
