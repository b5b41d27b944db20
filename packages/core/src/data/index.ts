export { Augmenter } from "./augment.ts";
export { type Dataset, featureCount } from "./dataset.ts";
export { DatasetCache, defaultDatasetCache, loadDataset } from "./load.ts";
export { MNIST_COUNT, MNIST_SIZE, loadMnist, mnistAll } from "./mnist.ts";
export { NORMALIZE_EPS, WHITEN_EPS, covariance, covarianceEigen, moments, preprocess } from "./preprocess.ts";
export { loadSpiral, spiralPoints } from "./spiral.ts";
export { type EigenResult, symmetricEigen } from "./symmetric-eigen.ts";
