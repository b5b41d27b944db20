/**
 * The benchmark's search problems, shared by the hps runner and the Optuna bridge: a base spec
 * (dataset, model, training) and a 5-D space like issue 7's (learning rate, L2, momentum,
 * dropout, width). Every trial of one search trains with the search's seed, as hps does.
 */
import { SearchSpec, type SearchSpecInput, type Space } from "@hps/contracts";

export const SPACE: Space = {
  "training.learningRate": { type: "loguniform", low: 1e-4, high: 1 },
  "training.l2": { type: "loguniform", low: 1e-5, high: 0.1 },
  "training.momentum": { type: "uniform", low: 0.5, high: 0.99 },
  "model.dropout": { type: "uniform", low: 0, high: 0.5 },
  "model.hidden": { type: "choice", values: [[32], [64], [128]] },
};

export interface Problem {
  readonly name: "mnist" | "spiral";
  /** Everything but strategy and seed. */
  readonly base: Omit<SearchSpecInput, "strategy" | "seed">;
  /** Epochs of a full trial. */
  readonly epochs: number;
}

/** BENCH_MNIST_TRAIN / BENCH_MNIST_VAL shrink MNIST for a short run. */
export function problems(env: NodeJS.ProcessEnv = process.env): Problem[] {
  const epochs = Number(env.BENCH_EPOCHS ?? 4);
  return [
    {
      name: "mnist",
      epochs,
      base: {
        name: "bench-mnist",
        dataset: { name: "mnist", trainSize: Number(env.BENCH_MNIST_TRAIN ?? 3000), valSize: Number(env.BENCH_MNIST_VAL ?? 1000), preprocess: "zero_center" },
        model: { type: "mlp", hidden: [64], activation: "relu", init: "he" },
        training: { epochs, batchSize: 64, optimizer: "momentum", learningRate: 0.01 },
        space: SPACE,
        objective: { metric: "valAccuracy", goal: "maximize" },
      },
    },
    {
      name: "spiral",
      epochs,
      base: {
        name: "bench-spiral",
        dataset: { name: "spiral", trainSize: Number(env.BENCH_SPIRAL_TRAIN ?? 900), valSize: Number(env.BENCH_SPIRAL_VAL ?? 300) },
        model: { type: "mlp", hidden: [64], activation: "relu", init: "he" },
        training: { epochs, batchSize: 32, optimizer: "momentum", learningRate: 0.1 },
        space: SPACE,
        objective: { metric: "valAccuracy", goal: "maximize" },
      },
    },
  ];
}

/** The spec of one search of `problem` (validated like POST /v1/searches would). */
export function specFor(problem: Problem, seed: number, strategy: SearchSpecInput["strategy"]): SearchSpec {
  return SearchSpec.parse({ ...problem.base, seed, strategy });
}
