/**
 * Integration (real Postgres, an in-process queue, the real thread-pool trainer): a trial whose
 * allocations exceed the per-trial memory budget fails at once — one attempt, an error saying so —
 * and the worker goes on training the next trial.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrialConfigInput } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { InProcessQueue } from "@hps/queue";
import { startWorker } from "./start-worker.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const BUDGET = 64 * 2 ** 20;
const spiral = (hidden: number[], batchSize: number): TrialConfigInput => ({
  seed: 1,
  dataset: { name: "spiral", trainSize: 3000, valSize: 300 },
  model: { hidden },
  training: { epochs: 2, batchSize, optimizer: "adam", learningRate: 0.01 },
});

async function seedTrial(config: TrialConfigInput, index: number, searchId: string): Promise<string> {
  return db.rows.insertTrial({ searchId, round: 0, index, params: {}, config });
}

describe("the per-trial memory budget", () => {
  it("fails a trial past it at once (never retried) and keeps the worker training", async () => {
    const searchId = await db.rows.insertSearch({ name: "m", status: "running", plannedTrials: 2, spec: {} });
    // 3000 × 4096 × (several buffers) floats: far past 64 MB.
    const big = await seedTrial(spiral([4096, 4096], 3000), 0, searchId);
    const small = await seedTrial(spiral([16], 100), 1, searchId);
    const q = new InProcessQueue({ concurrency: 1, attempts: 3 });
    const worker = startWorker({ db: db.db, consumer: q, concurrency: 1, workerId: "mem", trialMemoryBytes: BUDGET });
    try {
      await q.enqueue([{ trialId: big, searchId }, { trialId: small, searchId }]);
      const end = Date.now() + 60_000;
      let rows = await db.rows.trials({ searchId });
      while (rows.some((t) => t.status === "queued" || t.status === "running") && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        rows = await db.rows.trials({ searchId });
      }
      const [b, s] = rows;
      expect(b).toMatchObject({ status: "failed", attempts: 1 });
      expect(b!.error).toMatch(/out of memory: the trial needs more than its 64 MB budget/);
      expect(s).toMatchObject({ status: "completed", attempts: 1 });
    } finally {
      await worker.close({ timeoutMs: 0 });
    }
  });
});
