/**
 * Cross-trial pruning in the worker, against real Postgres and the real training threads: the
 * spec's pruner judges each epoch over what the round's other trials stored at that epoch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import type { TrialJobContext } from "@hps/queue";
import { silentLogger } from "./logger.ts";
import { RunWatcher } from "./run-watcher.ts";
import { ThreadPoolTrainer } from "./thread-pool-trainer.ts";
import { createTrialHandler } from "./trial-handler.ts";

let db: TestDatabase;
let pool: ThreadPoolTrainer;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new ThreadPoolTrainer({ size: 1 });
});
afterAll(async () => {
  await pool?.close();
  await db?.drop();
});

const config = {
  seed: 3,
  dataset: { name: "spiral", trainSize: 150, valSize: 60 },
  model: { hidden: [12] },
  training: { epochs: 4, batchSize: 30, optimizer: "sgd", learningRate: 0.5 },
};
const spec = { objective: { metric: "valAccuracy", goal: "maximize" }, strategy: { type: "random", trials: 4, pruner: { type: "asha", minEpochs: 1, reductionFactor: 3 } } };
const delivery = (): TrialJobContext => ({ attempt: 1, lastAttempt: false, signal: new AbortController().signal, progress: () => {} });

/** A search whose round 0 holds 3 other trials that reported `value` at epoch 1 (as their workers would), and the trial under test. */
async function roundWithOthersAt(value: number) {
  const searchId = await db.rows.insertSearch({ name: "t", status: "running", plannedTrials: 4, spec });
  for (let i = 1; i <= 3; i++) {
    const id = await db.rows.insertTrial({ searchId, round: 0, index: i, params: {}, config });
    const claim = await db.db.runs.claim(id, `w${i}`);
    expect(claim.kind).toBe("run");
    await db.db.runs.recordEpochs(id, 1, [{ epoch: 1, trainLoss: 1, valLoss: 1, trainAccuracy: value, valAccuracy: value }]);
  }
  // Another round's trial and a later epoch must not count.
  const other = await db.rows.insertTrial({ searchId, round: 1, index: 0, params: {}, config });
  await db.db.runs.claim(other, "w9");
  await db.db.runs.recordEpochs(other, 1, [{ epoch: 1, trainLoss: 1, valLoss: 1, trainAccuracy: 0, valAccuracy: 0 }]);
  const trialId = await db.rows.insertTrial({ searchId, round: 0, index: 0, params: {}, config });
  return { searchId, trialId };
}

async function run(job: { searchId: string; trialId: string }) {
  const watcher = new RunWatcher(db.db, () => {}, 60_000);
  try {
    await createTrialHandler({ db: db.db, trainer: pool, watcher, workerId: "w0", logger: silentLogger })(job, delivery());
  } finally {
    watcher.close();
  }
  return { trial: await db.rows.trial(job.trialId), curve: await db.rows.curve(job.trialId) };
}

describe("worker pruning (ASHA, η 3, rungs at epochs 1 and 3 of 4)", () => {
  it("stops a trial below the top 1/η of what its round reported at a rung: stopped, pruned, its curve up to the rung", async () => {
    const { trial, curve } = await run(await roundWithOthersAt(1.0));
    expect(trial).toMatchObject({ status: "stopped", stopReason: "pruned", epochs: 1, objective: null });
    expect(curve.map((p) => p.epoch)).toEqual([1]);
  });

  it("lets the round's best trial train fully", async () => {
    const { trial, curve } = await run(await roundWithOthersAt(0.0));
    expect(trial).toMatchObject({ status: "completed", stopReason: null, epochs: 4 });
    expect(curve.map((p) => p.epoch)).toEqual([1, 2, 3, 4]);
  });
});
