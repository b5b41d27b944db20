/**
 * A random and a grid search through the real HTTP API, the scheduler process and two
 * worker processes on BullMQ, training for real on `spiral`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allTrials, dumpLogs, finalSearch, http, startCluster, type Cluster } from "./support.ts";

const spiral = { name: "spiral", trainSize: 150, valSize: 60 } as const;

/** What every finished search must satisfy, whatever its strategy. */
async function expectConsistentResult(c: Cluster, search: any, planned: number, epochs: number): Promise<any[]> {
  expect(search.status).toBe("completed");
  const counts = search.counts;
  expect(counts.total).toBe(planned);
  expect(counts.queued + counts.running + counts.completed + counts.stopped + counts.failed + counts.cancelled).toBe(counts.total);
  expect(counts.queued + counts.running).toBe(0);

  const trials = await allTrials(c.base, search.id, "rank");
  expect(trials.length).toBe(planned);
  expect(new Set(trials.map((t) => `${t.round}/${t.index}`)).size).toBe(planned);
  // Ranks 1..n in order; completed trials first, best objective (valAccuracy) first; stopped after them.
  expect(trials.map((t) => t.rank)).toEqual(trials.map((_, i) => i + 1));
  const completed = trials.filter((t) => t.status === "completed");
  expect(completed.length).toBeGreaterThan(0);
  expect(trials.slice(0, completed.length).every((t) => t.status === "completed")).toBe(true);
  const acc = completed.map((t) => t.metrics.valAccuracy as number);
  for (let i = 1; i < acc.length; i++) expect(acc[i]!).toBeLessThanOrEqual(acc[i - 1]!);
  expect(trials.slice(completed.length).every((t) => t.status === "stopped" || t.status === "failed")).toBe(true);

  // The best trial serves its learning curve: one point per epoch.
  expect(search.best.id).toBe(trials[0].id);
  const best = await http(c.base, "GET", `/v1/trials/${search.best.id}`);
  expect(best.status).toBe(200);
  expect(best.body.metrics.epochs).toBe(epochs);
  expect(best.body.curve.map((p: { epoch: number }) => p.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  return trials;
}

describe("e2e: searches through API → scheduler → BullMQ → 2 worker processes", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ workers: 2 });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("runs a random search over the learning rate to completion, some trials exploding", async () => {
    const spec = {
      name: "e2e-random",
      seed: 3,
      dataset: spiral,
      model: { hidden: [20] },
      training: { epochs: 4, batchSize: 30, optimizer: "sgd" },
      space: { "training.learningRate": { type: "loguniform", low: 1e-3, high: 10 } },
      strategy: { type: "random", trials: 10, parallelism: 4 },
    };
    const created = await http(c.base, "POST", "/v1/searches", spec);
    expect(created.status).toBe(201);
    try {
      const search = await finalSearch(c.base, created.body.id);
      const trials = await expectConsistentResult(c, search, 10, 4);
      expect(trials.some((t) => t.status === "stopped" && t.stopReason === "loss_exploded")).toBe(true);
      // Two worker processes shared the work.
      expect(new Set(trials.map((t) => t.workerId)).size).toBe(2);
    } catch (err) {
      console.error(dumpLogs(c.procs()));
      console.error(JSON.stringify((await c.db.rows.trials()).map(({ searchId, index, status, enqueuedAt, attempts, workerId }) => ({ searchId, index, status, enqueuedAt, attempts, workerId }))));
      throw err;
    }
  }, 120_000);

  it("runs a grid search: one trial per grid point", async () => {
    const spec = {
      name: "e2e-grid",
      seed: 2,
      dataset: spiral,
      training: { epochs: 3, batchSize: 30, optimizer: "momentum" },
      space: {
        "training.learningRate": { type: "loguniform", low: 0.01, high: 1, points: 3 },
        "model.hidden": { type: "choice", values: [[8], [16]] },
      },
      strategy: { type: "grid", parallelism: 3 },
    };
    const created = await http(c.base, "POST", "/v1/searches", spec);
    expect(created.status).toBe(201);
    try {
      const search = await finalSearch(c.base, created.body.id);
      const trials = await expectConsistentResult(c, search, 6, 3);
      const points = new Set(trials.map((t) => JSON.stringify([t.params["training.learningRate"], t.params["model.hidden"]])));
      expect(points.size).toBe(6);
      expect(new Set(trials.map((t) => t.params["training.learningRate"])).size).toBe(3);
    } catch (err) {
      console.error(dumpLogs(c.procs()));
      console.error(JSON.stringify((await c.db.rows.trials()).map(({ searchId, index, status, enqueuedAt, attempts, workerId }) => ({ searchId, index, status, enqueuedAt, attempts, workerId }))));
      throw err;
    }
  }, 120_000);
});
