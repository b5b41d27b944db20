/**
 * Two scheduler replicas on one database; one is SIGKILLed mid-search and started again.
 * The search completes with exactly its planned trials, none duplicated, none run twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpLogs, finalSearch, http, startCluster, until, type Cluster } from "./support.ts";

describe("e2e: scheduler replicas, one killed and restarted", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ workers: 2 });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("completes the search with exactly the planned trials", async () => {
    const replica = c.spawnScheduler();
    await replica.waitFor(/scheduler started/);
    const spec = {
      name: "e2e-scheduler-restart",
      seed: 9,
      dataset: { name: "mnist", trainSize: 800, valSize: 200 },
      model: { hidden: [32] },
      training: { epochs: 3, batchSize: 32, optimizer: "sgd" },
      space: { "training.learningRate": { type: "loguniform", low: 0.005, high: 0.1 } },
      strategy: { type: "random", trials: 12, parallelism: 2 },
    };
    const created = await http(c.base, "POST", "/v1/searches", spec);
    expect(created.status).toBe(201);
    const searchId: string = created.body.id;
    try {
      await until("two final trials", async () => {
        const n = await c.db.rows.countTrials({ searchId, status: ["completed", "stopped", "failed"] });
        return n >= 2 ? n : undefined;
      }, 90_000, 50);
      c.scheduler.child.kill("SIGKILL");
      await c.scheduler.exited;
      const atKill = await c.db.rows.countTrials({ searchId, status: ["completed", "stopped", "failed"] });
      expect(atKill).toBeLessThan(12); // really mid-search

      const second = c.spawnScheduler();
      await second.waitFor(/scheduler started/);
      const search = await finalSearch(c.base, searchId, 120_000);
      expect(search.status).toBe("completed");
      expect(search.counts.total).toBe(12);
      const trials = await c.db.rows.trials({ searchId });
      expect(trials.length).toBe(12);
      expect(new Set(trials.map((t) => `${t.round}/${t.index}`)).size).toBe(12);
      expect(trials.every((t) => ["completed", "stopped", "failed"].includes(t.status))).toBe(true);
      // No trial was run twice: replicas never enqueued a trial twice, and the restarted
      // scheduler's re-enqueues of in-flight trials were no-ops.
      expect(trials.map((t) => t.attempts)).toEqual(trials.map(() => 1));
      expect(trials.map((t) => t.rank).sort((a, b) => a! - b!)).toEqual(trials.map((_, i) => i + 1));
    } catch (err) {
      console.error(dumpLogs(c.procs()));
      throw err;
    }
  }, 180_000);
});
