import type { FastifyInstance } from "fastify";
import type { TestRows } from "@hps/db/test-kit";

/**
 * A completed random search of `trials` finished trials over two rounds, created through the API
 * and filled by the test kit's bulk seed (10% stopped, ranked; no learning curves): what the
 * dashboard and poll benchmarks, and the large-search browser test, look at.
 */
export async function seedLargeSearch(app: Pick<FastifyInstance, "inject">, rows: TestRows, opts: { name: string; trials: number }): Promise<string> {
  const half = Math.ceil(opts.trials / 2);
  const space = {
    "training.learningRate": { type: "loguniform", low: 0.0001, high: 1 },
    "model.hidden": { type: "choice", values: [[16], [32], [48]] },
  };
  const spec = {
    name: opts.name, seed: 1,
    dataset: { name: "spiral", trainSize: 300, valSize: 60 },
    model: { type: "mlp", hidden: [32], activation: "relu" },
    training: { epochs: 3, batchSize: 32, optimizer: "sgd", learningRate: 0.1 },
    space,
    strategy: { type: "random", trials: half, parallelism: 4, rounds: 2 },
  };
  const created = await app.inject({ method: "POST", url: "/v1/searches", payload: spec });
  if (created.statusCode !== 201) throw new Error(`POST /v1/searches failed: ${created.body}`);
  const id = created.json().id as string;
  await rows.insertRound({ searchId: id, index: 0, space, plannedTrials: half });
  await rows.insertRound({ searchId: id, index: 1, space, plannedTrials: half });
  await rows.seedManyFinished(id, opts.trials, 2);
  await rows.updateSearch(id, { status: "completed" });
  return id;
}
