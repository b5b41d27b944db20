/**
 * Two scheduler replicas on one database. One is SIGKILLed mid-search (the other carries on
 * alone), then the survivor too: with no scheduler, nothing is planned or enqueued while the
 * workers drain what was already in flight. A scheduler started afterwards finishes the
 * search with exactly its planned trials, none duplicated, none run twice.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpLogs, finalSearch, http, startCluster, until, type Cluster } from "./support.ts";

const POLL_MS = 500;
const FINAL = ["completed", "stopped", "failed"] as const;
/** A BullMQ job hash key, `<prefix>:<queue>:<job id = trial id>` (its `:lock`, `:logs` … keys end otherwise). */
const JOB_KEY = /^[^:]+:[^:]+:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

describe("e2e: scheduler replicas killed, then the only scheduler killed and restarted", () => {
  let c: Cluster;
  let redis: Redis;
  beforeAll(async () => {
    c = await startCluster({ workers: 2, pollMs: POLL_MS });
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis?.disconnect();
    await c?.stop();
  });

  /** Ids of every trial job BullMQ holds under the cluster's prefix (waiting, active, completed …). */
  async function jobIds(): Promise<string[]> {
    const ids = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${c.prefix}:*`, "COUNT", 1000);
      cursor = next;
      for (const k of keys) {
        const id = JOB_KEY.exec(k)?.[1];
        if (id) ids.add(id);
      }
    } while (cursor !== "0");
    return [...ids].sort();
  }

  it("completes the search with exactly the planned trials", async () => {
    const replica = c.spawnScheduler();
    await replica.waitFor(/scheduler started/);
    // Two rounds of 6: a round boundary (rank, narrow, plan round 1) is scheduler work too.
    const spec = {
      name: "e2e-scheduler-restart",
      seed: 9,
      dataset: { name: "mnist", trainSize: 800, valSize: 200 },
      model: { hidden: [32] },
      training: { epochs: 3, batchSize: 32, optimizer: "sgd" },
      space: { "training.learningRate": { type: "loguniform", low: 0.005, high: 0.1 } },
      strategy: { type: "random", trials: 6, rounds: 2, parallelism: 2 },
    };
    const created = await http(c.base, "POST", "/v1/searches", spec);
    expect(created.status).toBe(201);
    const searchId: string = created.body.id;
    const finalCount = () => c.db.rows.countTrials({ searchId, status: FINAL });
    const atLeastFinal = (n: number) => until(`${n} final trials`, async () => ((await finalCount()) >= n ? true : undefined), 90_000, 50);
    try {
      // 1. One of two replicas dies; the other goes on alone.
      await atLeastFinal(2);
      c.scheduler.child.kill("SIGKILL");
      await c.scheduler.exited;
      await atLeastFinal(4);

      // 2. The only scheduler dies.
      replica.child.kill("SIGKILL");
      await replica.exited;
      const snapshot = async () => ({
        trials: await c.db.rows.countTrials({ searchId }),
        rounds: (await c.db.rows.rounds(searchId)).length,
        enqueued: await c.db.rows.countTrials({ searchId, enqueued: true }),
        jobs: await jobIds(),
        search: (await c.db.rows.search(searchId)).status,
      });
      const atKill = await snapshot();
      expect(await finalCount()).toBeLessThan(12); // really mid-search
      expect(atKill.search).toBe("running");
      // The workers finish what was in flight (an event we wait for) …
      await until("the in-flight trials to finish", async () => {
        const open = await c.db.rows.countTrials({ searchId, status: ["queued", "running"], enqueued: true });
        return open === 0 ? true : undefined;
      }, 90_000, 50);
      // … after which a live scheduler would plan or enqueue within one poll period (or at once,
      // woken by the workers' NOTIFY). Absence needs a window: four poll periods.
      await new Promise((r) => setTimeout(r, 4 * POLL_MS));
      expect(await snapshot()).toEqual(atKill);

      // 3. A new scheduler finishes the search.
      const restarted = c.spawnScheduler();
      await restarted.waitFor(/scheduler started/);
      const search = await finalSearch(c.base, searchId, 120_000);
      expect(search.status).toBe("completed");
      expect(search.counts.total).toBe(12);
      const stored = await c.db.rows.search(searchId);
      expect(stored.plannedTrials).toBe(12);
      const trials = await c.db.rows.trials({ searchId });
      expect(trials.length).toBe(12);
      expect(trials.filter((t) => t.round === 0).length).toBe(6);
      expect(new Set(trials.map((t) => `${t.round}/${t.index}`)).size).toBe(12);
      expect(trials.every((t) => (FINAL as readonly string[]).includes(t.status))).toBe(true);
      // No trial was run twice: replicas never enqueued a trial twice, and the restarted
      // scheduler's re-enqueues of in-flight trials were no-ops.
      expect(trials.map((t) => t.attempts)).toEqual(trials.map(() => 1));
      expect(trials.map((t) => t.rank).sort((a, b) => a! - b!)).toEqual(trials.map((_, i) => i + 1));
      expect(await jobIds()).toEqual(trials.map((t) => t.id).sort()); // one job per trial, no stray ones
    } catch (err) {
      console.error(dumpLogs(c.procs()));
      throw err;
    }
  }, 240_000);
});
