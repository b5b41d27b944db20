/** The handler's error path against real Postgres, with fake trainers standing in for the thread pool. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import type { TrialJobContext } from "@hps/queue";
import { silentLogger } from "./logger.ts";
import { RunWatcher } from "./run-watcher.ts";
import type { Trainer } from "./trainer.ts";
import { createTrialHandler } from "./trial-handler.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const config = {
  seed: 3,
  dataset: { name: "spiral", trainSize: 150, valSize: 60 },
  model: { hidden: [12] },
  training: { epochs: 4, batchSize: 30, optimizer: "sgd", learningRate: 0.5 },
};

async function seed() {
  const searchId = await db.rows.insertSearch({ name: "t", status: "running", plannedTrials: 1, spec: {} });
  const trialId = await db.rows.insertTrial({ searchId, round: 0, index: 0, params: {}, config });
  return { searchId, trialId };
}

const lastDelivery = (): TrialJobContext => ({ attempt: 3, lastAttempt: true, signal: new AbortController().signal, progress: () => {} });

describe("trial handler: the last attempt's failure", () => {
  it("does not fail a trial that another run re-claimed meanwhile (the superseded run's give-up is fenced by its attempt)", async () => {
    const job = await seed();
    // This run stalls; meanwhile the job is re-delivered to another worker, which claims the trial (attempt 2) — then this run errors.
    const trainer: Trainer = {
      run: async () => {
        const other = await db.db.runs.claim(job.trialId, "other-worker");
        expect(other).toMatchObject({ kind: "run", attempt: 2 });
        throw new Error("thread exploded");
      },
    };
    const watcher = new RunWatcher(db.db, () => {}, 60_000);
    const handler = createTrialHandler({ db: db.db, trainer, watcher, workerId: "stalled-worker", logger: silentLogger });
    try {
      await expect(handler(job, lastDelivery())).rejects.toThrow("thread exploded");
    } finally {
      watcher.close();
    }
    const t = await db.rows.trial(job.trialId);
    expect(t).toMatchObject({ status: "running", attempts: 2, workerId: "other-worker", error: null });
  });

  it("fails the trial it still owns", async () => {
    const job = await seed();
    const trainer: Trainer = { run: async () => Promise.reject(new Error("thread exploded")) };
    const watcher = new RunWatcher(db.db, () => {}, 60_000);
    const handler = createTrialHandler({ db: db.db, trainer, watcher, workerId: "w", logger: silentLogger });
    try {
      await expect(handler(job, lastDelivery())).rejects.toThrow("thread exploded");
    } finally {
      watcher.close();
    }
    const t = await db.rows.trial(job.trialId);
    expect(t).toMatchObject({ status: "failed", attempts: 1, error: "thread exploded" });
  });
});
