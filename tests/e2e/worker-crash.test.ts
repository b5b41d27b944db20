/**
 * A worker process SIGKILLed in the middle of a trial: BullMQ's stalled check (WORKER_LOCK_MS
 * ≈ 2 s here) hands the job to the other worker, which re-claims the trial (attempts + 1) and
 * finishes it. The victim is caught early in its curve (≤ a quarter of the epochs stored), so
 * the re-run has most of the training still to do. Exactly one run finishes the trial (one
 * "trial finished" across the workers' logs), its curve is epochs 1..n once, attempts ≥ 2.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpLogs, finalSearch, http, startCluster, until, type Cluster } from "./support.ts";

// The victim must be caught with 1..EPOCHS/4 epochs stored, and epochs reach Postgres in batches
// (the progress buffer flushes ≤ 500 ms after an epoch). With 16 epochs of ~0.2 s (quiet machine,
// the FMA GEMM) that window was ~0.6 s and a full-suite CI run missed it (both trials completed
// unseen); 40 epochs give it ~2 s.
const EPOCHS = 40;

describe("e2e: a worker killed mid-trial", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ workers: 2, lockMs: 2000 });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("a trial killed early in its curve is finished by another worker: attempts ≥ 2, one finish, curve epochs 1..n; the search completes", async () => {
    const spec = {
      name: "e2e-worker-crash",
      seed: 4,
      // Long enough (seconds) to catch a trial running with some epochs written.
      dataset: { name: "mnist", trainSize: 5000, valSize: 300 },
      model: { hidden: [200] },
      training: { epochs: EPOCHS, batchSize: 32, optimizer: "sgd" },
      space: { "training.learningRate": { type: "uniform", low: 0.01, high: 0.05 } },
      strategy: { type: "random", trials: 2, parallelism: 2 },
    };
    const created = await http(c.base, "POST", "/v1/searches", spec);
    expect(created.status).toBe(201);
    const searchId: string = created.body.id;
    try {
      // A running trial early in its curve (1..EPOCHS/4 epochs stored): kill the worker running it.
      const victim = await until("a running trial with its first epochs stored", async () => {
        for (const t of await c.db.rows.trials({ searchId, status: "running" })) {
          const stored = await c.db.rows.countCurve(t.id);
          if (stored >= 1 && stored <= EPOCHS / 4 && t.workerId) return t;
        }
        return undefined;
      }, 90_000, 50);
      const killed = c.workers.find((w) => w.name === `worker ${victim.workerId}`)!;
      expect(killed).toBeDefined();
      killed.child.kill("SIGKILL");
      await killed.exited;
      // Right after the kill the trial is still the victim's: the kill hit a run in progress,
      // and what follows is the stall recovery, not a run that had already ended.
      const atKill = await c.db.rows.trial(victim.id);
      expect(atKill).toMatchObject({ status: "running", workerId: victim.workerId, attempts: victim.attempts });
      expect(atKill.epochs).toBeLessThan(EPOCHS);

      const search = await finalSearch(c.base, searchId, 120_000);
      expect(search.status).toBe("completed");
      expect(search.counts.total).toBe(2);
      expect(search.counts.completed + search.counts.stopped).toBe(2);

      const trial = await c.db.rows.trial(victim.id);
      expect(trial.attempts).toBeGreaterThanOrEqual(2);
      expect(trial.workerId).not.toBe(victim.workerId);
      expect(["completed", "stopped"]).toContain(trial.status);
      // One result: exactly one run of this trial reached its final write, on a surviving worker.
      const finishedLines = c.workers.flatMap((w) => w.log.filter((l) => l.includes(victim.id) && l.includes('"msg":"trial finished"')).map(() => w.name));
      expect(finishedLines).toEqual([`worker ${trial.workerId}`]);
      const epochs = await c.db.rows.curve(victim.id);
      expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: trial.epochs }, (_, i) => i + 1));
      if (trial.status === "completed") expect(trial.epochs).toBe(EPOCHS);
      const served = await http(c.base, "GET", `/v1/trials/${victim.id}`);
      expect(served.body.curve.length).toBe(trial.epochs);
      expect(served.body.metrics.epochs).toBe(trial.epochs);
    } catch (err) {
      console.error(dumpLogs(c.procs()));
      throw err;
    }
  }, 180_000);
});
