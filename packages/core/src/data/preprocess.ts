import type { Preprocess } from "@hps/contracts";
import { sgemm } from "../kernels/index.ts";
import { type Dataset, featureCount } from "./dataset.ts";
import type { PreprocessStats } from "./preprocess-stats.ts";
import { symmetricEigen } from "./symmetric-eigen.ts";

export type { PreprocessStats };

/** Added to the per-feature VARIANCE before `normalize` divides by √: constant features (mnist's border
 * pixels) are then scaled by at most 1/√1e-3 ≈ 32 instead of dividing by zero. Pixels have variance ≲ 0.2. */
export const NORMALIZE_EPS = 1e-3;
/** Added to each eigenvalue before whitening divides by √λ (CS231n's 1e-5). */
export const WHITEN_EPS = 1e-5;

/**
 * Data preprocessing of CS231n lecture 6/7. Statistics (mean, std, covariance eigenvectors) come
 * from the TRAINING split only and are applied unchanged to val:
 *   none        — unchanged
 *   zero_center — x − μ (per feature)
 *   normalize   — (x − μ) / √(σ² + NORMALIZE_EPS) (per feature)
 *   pca         — (x − μ)·U_k: projection on the top k eigenvectors of the train covariance
 *                 Σ = XcᵀXc / n (biased), k = pcaComponents (default: all features)
 *   whiten      — pca, then each component divided by √(λ_i + WHITEN_EPS)
 * pca and whiten return flat features (inputShape [k]): a CNN cannot take them, `train` rejects
 * that combination with an error. Returns a new Dataset; the input is not modified.
 */
export function preprocess(ds: Dataset, method: Preprocess, pcaComponents?: number): Dataset {
  if (method === "none") return ds;
  const stats = fitPreprocess(ds.trainX, ds.inputShape, method, pcaComponents);
  return { ...ds, trainX: applyPreprocess(stats, ds.trainX), valX: applyPreprocess(stats, ds.valX), inputShape: stats.outShape, preprocessing: stats };
}

/** Fits `method` on the train rows X [n, prod(inputShape)]. */
export function fitPreprocess(trainX: Float32Array, inputShape: readonly number[], method: Preprocess, pcaComponents?: number): PreprocessStats {
  const D = inputShape.reduce((a, b) => a * b, 1);
  const base: PreprocessStats = { method, inputFeatures: D, mean: null, scale: null, projection: null, outShape: [...inputShape] };
  switch (method) {
    case "none":
      return base;
    case "zero_center":
    case "normalize": {
      const { mean, variance } = moments(trainX, D);
      const scale = new Float64Array(D).fill(1);
      if (method === "normalize") for (let j = 0; j < D; j++) scale[j] = 1 / Math.sqrt(variance[j] + NORMALIZE_EPS);
      return { ...base, mean, scale };
    }
    case "pca":
    case "whiten":
      return fitProjection(base, trainX, method === "whiten", pcaComponents);
    default:
      throw new Error(`unknown preprocess "${method as string}"`);
  }
}

/** Applies fitted statistics to rows X [n, inputFeatures]; returns new rows [n, prod(outShape)]. */
export function applyPreprocess(stats: PreprocessStats, X: Float32Array): Float32Array {
  const D = stats.inputFeatures;
  const { mean, scale, projection } = stats;
  if (!mean) return X;
  if (!projection) {
    const s = scale!;
    const out = new Float32Array(X.length);
    for (let o = 0; o < X.length; o += D) for (let j = 0; j < D; j++) out[o + j] = (X[o + j] - mean[j]) * s[j];
    return out;
  }
  const Xc = new Float32Array(X.length);
  for (let o = 0; o < X.length; o += D) for (let j = 0; j < D; j++) Xc[o + j] = X[o + j] - mean[j];
  const n = X.length / D;
  const k = stats.outShape[0]!;
  const out = new Float32Array(n * k);
  sgemm(false, false, n, k, D, Xc, 0, projection, 0, out, 0, 0);
  return out;
}

/** Per-feature mean and biased variance of X [n, D], in float64. */
export function moments(X: Float32Array, D: number): { mean: Float64Array; variance: Float64Array } {
  const n = X.length / D;
  const mean = new Float64Array(D);
  const variance = new Float64Array(D);
  for (let o = 0; o < X.length; o += D) for (let j = 0; j < D; j++) mean[j] += X[o + j];
  for (let j = 0; j < D; j++) mean[j] /= n;
  for (let o = 0; o < X.length; o += D) {
    for (let j = 0; j < D; j++) {
      const c = X[o + j] - mean[j];
      variance[j] += c * c;
    }
  }
  for (let j = 0; j < D; j++) variance[j] /= n;
  return { mean, variance };
}

/** Train covariance Σ = XcᵀXc / n, [D, D], through sgemm on the centred float32 data. */
export function covariance(Xc: Float32Array, D: number): Float32Array {
  const n = Xc.length / D;
  const C = new Float32Array(D * D);
  sgemm(true, false, D, D, n, Xc, 0, Xc, 0, C, 0, 0);
  for (let i = 0; i < C.length; i++) C[i] /= n;
  // Symmetrise exactly (float32 rounding in the product may differ between (i,j) and (j,i)).
  for (let i = 0; i < D; i++) for (let j = i + 1; j < D; j++) C[j * D + i] = C[i * D + j];
  return C;
}

function fitProjection(base: PreprocessStats, trainX: Float32Array, whiten: boolean, components?: number): PreprocessStats {
  const D = base.inputFeatures;
  const k = components ?? D;
  if (!Number.isInteger(k) || k < 1 || k > D) {
    throw new RangeError(`pcaComponents = ${k} must be an integer in [1, ${D}] (the number of input features)`);
  }
  const { mean } = moments(trainX, D);
  const trainC = new Float32Array(trainX.length);
  for (let o = 0; o < trainX.length; o += D) for (let j = 0; j < D; j++) trainC[o + j] = trainX[o + j] - mean[j];
  const { values, vectors } = covarianceEigen(trainC, D);
  // U is [D, k]: column i = eigenvector i, scaled by 1/√(λ_i + eps) when whitening.
  const U = new Float32Array(D * k);
  for (let i = 0; i < k; i++) {
    const s = whiten ? 1 / Math.sqrt(Math.max(values[i], 0) + WHITEN_EPS) : 1;
    for (let j = 0; j < D; j++) U[j * k + i] = vectors[i * D + j] * s;
  }
  return { ...base, mean, projection: U, outShape: [k] };
}

/**
 * Eigen-decomposition of the train covariance, descending. Features that are constant on train
 * (zero variance: ~1/6 of mnist's pixels, its border) are left out of the O(D³) solve: each is an
 * eigenvector by itself (its row and column of Σ are 0) with eigenvalue 0, appended last.
 * Vectors are rows of [D, D].
 */
export function covarianceEigen(Xc: Float32Array, D: number): { values: Float64Array; vectors: Float64Array } {
  const C = covariance(Xc, D);
  const active: number[] = [];
  const constant: number[] = [];
  for (let j = 0; j < D; j++) (C[j * D + j] > 0 ? active : constant).push(j);
  const a = active.length;
  const sub = new Float64Array(a * a);
  for (let i = 0; i < a; i++) for (let j = 0; j < a; j++) sub[i * a + j] = C[active[i] * D + active[j]];
  const eig = symmetricEigen(sub, a);
  const values = new Float64Array(D);
  const vectors = new Float64Array(D * D);
  for (let r = 0; r < a; r++) {
    values[r] = eig.values[r];
    for (let i = 0; i < a; i++) vectors[r * D + active[i]] = eig.vectors[r * a + i];
  }
  constant.forEach((j, c) => {
    vectors[(a + c) * D + j] = 1;
  });
  return { values, vectors };
}
