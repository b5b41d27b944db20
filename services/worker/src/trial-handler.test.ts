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

describe("trial handler: the final write", () => {
  const trained: Trainer = {
    run: async () => ({ status: "completed", stopReason: null, metrics: { initialLoss: 1.1, finalLoss: 0.4, trainAccuracy: 0.9, valAccuracy: 0.8, valLoss: 0.5, epochs: 4 }, curve: [], params: new Uint8Array(0) }),
  };
  const delivery = (): TrialJobContext => ({ attempt: 1, lastAttempt: false, signal: new AbortController().signal, progress: () => {} });
  /** The real `runs`, whose first `failures` final writes fail as a connect to an unreachable host does. */
  const flakyFinish = (failures: number, err: () => Error) => {
    let calls = 0;
    const runs = Object.create(db.db.runs) as typeof db.db.runs;
    runs.finish = async (...args) => (++calls <= failures ? Promise.reject(err()) : db.db.runs.finish(...args));
    return { db: { runs }, calls: () => calls };
  };
  const unreachable = () => Object.assign(new Error("connect EHOSTUNREACH 10.0.0.1:5432"), { code: "EHOSTUNREACH" });

  it("outlives a connection outage: the trained result is stored, not handed back to the queue to train again", async () => {
    const job = await seed();
    const flaky = flakyFinish(3, unreachable);
    const watcher = new RunWatcher(db.db, () => {}, 60_000);
    const handler = createTrialHandler({ db: flaky.db, trainer: trained, watcher, workerId: "w", logger: silentLogger, finalWriteRetryMs: [1, 1, 1, 1] });
    try {
      await handler(job, delivery());
    } finally {
      watcher.close();
    }
    expect(flaky.calls()).toBe(4);
    expect(await db.rows.trial(job.trialId)).toMatchObject({ status: "completed", attempts: 1, valAccuracy: 0.8 });
  });

  it("gives up after its retries, and never retries an error that is not the connection's", async () => {
    for (const [failures, err, calls] of [[9, unreachable, 3], [1, () => new Error("value too long for type"), 1]] as const) {
      const job = await seed();
      const flaky = flakyFinish(failures, err);
      const watcher = new RunWatcher(db.db, () => {}, 60_000);
      const handler = createTrialHandler({ db: flaky.db, trainer: trained, watcher, workerId: "w", logger: silentLogger, finalWriteRetryMs: [1, 1] });
      try {
        await expect(handler(job, delivery())).rejects.toThrow(err().message);
      } finally {
        watcher.close();
      }
      expect(flaky.calls()).toBe(calls);
      expect(await db.rows.trial(job.trialId)).toMatchObject({ status: "running", attempts: 1 });
    }
  });
});
