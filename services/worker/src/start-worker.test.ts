/**
 * Integration: real Postgres (a fresh test database), real Redis (a unique BullMQ prefix),
 * the real thread-pool trainer on tiny spiral configs.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TrialConfigInput } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { BullConsumer, BullDispatcher, InProcessQueue, deleteQueueKeys } from "@hps/queue";
import { startWorker, type RunningWorker } from "./start-worker.ts";
import type { Trainer } from "./trainer.ts";

const redisUrl = process.env.REDIS_URL ?? "";
let db: TestDatabase;
const prefixes: string[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  if (!redisUrl) throw new Error("REDIS_URL is not set (scripts/test-services.ts resolves it)");
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  for (const p of prefixes) await deleteQueueKeys(redisUrl, p);
  await db?.drop();
});

const tiny = (training: TrialConfigInput["training"] = {}): TrialConfigInput => ({
  seed: 3,
  dataset: { name: "spiral", trainSize: 150, valSize: 60 },
  model: { hidden: [12] },
  training: { epochs: 4, batchSize: 30, optimizer: "sgd", learningRate: 0.5, ...training },
});

/** A trial that would run for a minute or more (1000 epochs of 20000 samples); the tests end it. */
const long = (): TrialConfigInput => ({
  ...tiny({ epochs: 1000, batchSize: 10, learningRate: 0.05 }),
  dataset: { name: "spiral", trainSize: 20000, valSize: 2000 },
  model: { hidden: [32] },
});

async function seed(config: TrialConfigInput, objective = { metric: "valAccuracy", goal: "maximize" }) {
  const searchId = await db.rows.insertSearch({ name: "t", status: "running", plannedTrials: 1, spec: { objective } });
  const trialId = await db.rows.insertTrial({ searchId, round: 0, index: 0, params: {}, config });
  return { searchId, trialId };
}

/** A dispatcher + a started worker on a fresh queue prefix. */
function queue(opts: { attempts?: number; trainer?: Trainer; prefix?: string; lockMs?: number } = {}) {
  const prefix = opts.prefix ?? `hps-test-worker-${randomBytes(5).toString("hex")}`;
  if (!opts.prefix) prefixes.push(prefix);
  const dispatcher = new BullDispatcher({ redisUrl, prefix, attempts: opts.attempts ?? 2, backoffMs: 10 });
  const consumer = new BullConsumer({ redisUrl, prefix, concurrency: 2, lockMs: opts.lockMs });
  const worker: RunningWorker = startWorker({
    db: db.db,
    consumer,
    concurrency: 2,
    workerId: `test:${prefix}`,
    trainer: opts.trainer,
    cancelPollMs: 100,
    flushIntervalMs: 50,
    flushEpochs: 2,
  });
  closers.push(() => dispatcher.close(), () => worker.close({ timeoutMs: 0 }));
  return { dispatcher, worker, prefix };
}

const trial = (id: string) => db.rows.trial(id);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const isFinal = (t: { status: string }) => ["completed", "stopped", "failed", "cancelled"].includes(t.status);

describe("startWorker (Postgres + Redis + real trainer)", () => {
  it("trains a trial to completion: curve rows, metrics, objective, diagnostics, artifact", async () => {
    const ids = await seed(tiny());
    const { dispatcher } = queue();
    await dispatcher.enqueue([ids]);
    const t = await until(() => trial(ids.trialId), isFinal, "a final trial");
    expect(t).toMatchObject({ status: "completed", stopReason: null, attempts: 1, epochs: 4, error: null });
    expect(t.workerId).toMatch(/^test:/);
    expect(t.objective).toBe(t.valAccuracy);
    expect(t.initialLoss).toBeGreaterThan(0);
    expect(Array.isArray(t.diagnostics)).toBe(true);
    expect(t.artifact?.format).toBe("hpsm");
    expect(Buffer.from(t.artifact!.data).subarray(0, 4).toString()).toBe("HPSM");
    const curve = await db.rows.curve(ids.trialId);
    expect(curve.map((c) => c.epoch)).toEqual([1, 2, 3, 4]);
    expect(curve[3].valAccuracy).toBe(t.valAccuracy);
    await until(() => dispatcher.depth(), (d) => d === 0, "an empty queue");
  });

  it("stops a trial whose loss explodes (learningRate 10) as stopped / loss_exploded", async () => {
    const ids = await seed(tiny({ learningRate: 10 }));
    const { dispatcher } = queue();
    await dispatcher.enqueue([ids]);
    const t = await until(() => trial(ids.trialId), isFinal, "a final trial");
    expect(t).toMatchObject({ status: "stopped", stopReason: "loss_exploded", objective: null });
  });

  it("the same trial delivered twice (through two queues at once) produces exactly one result", async () => {
    const ids = await seed(tiny({ epochs: 30 }));
    const a = queue();
    const b = queue();
    await Promise.all([a.dispatcher.enqueue([ids]), b.dispatcher.enqueue([ids])]);
    await until(() => trial(ids.trialId), isFinal, "a final trial");
    await until(async () => (await a.dispatcher.depth()) + (await b.dispatcher.depth()), (d) => d === 0, "both queues drained");
    const t = await trial(ids.trialId);
    expect(t).toMatchObject({ status: "completed", epochs: 30 });
    expect([1, 2]).toContain(t.attempts);
    const curve = await db.rows.curve(ids.trialId);
    expect(curve).toHaveLength(30);
    // a late third delivery of the finished trial is skipped, not re-run
    const c = queue();
    await c.dispatcher.enqueue([ids]);
    await until(() => c.dispatcher.depth(), (d) => d === 0, "the third queue drained");
    const again = await trial(ids.trialId);
    expect({ ...again, artifact: null }).toEqual({ ...t, artifact: null });
  });

  it("cancelling the search mid-trial stops the trial as cancelled", async () => {
    const ids = await seed(long());
    const { dispatcher } = queue();
    await dispatcher.enqueue([ids]);
    await until(() => trial(ids.trialId), (t) => t.epochs >= 2, "live progress");
    await db.rows.updateSearch(ids.searchId, { status: "cancelled" });
    const t = await until(() => trial(ids.trialId), isFinal, "a final trial");
    expect(t).toMatchObject({ status: "cancelled", stopReason: "cancelled", objective: null });
    expect(t.epochs).toBeLessThan(1000);
  });

  it("retries a failing run and marks the trial failed after the last attempt", async () => {
    const ids = await seed(tiny());
    const failing: Trainer = { run: async () => Promise.reject(new Error("thread exploded")) };
    const { dispatcher } = queue({ attempts: 2, trainer: failing });
    await dispatcher.enqueue([ids]);
    const t = await until(() => trial(ids.trialId), isFinal, "a final trial");
    expect(t).toMatchObject({ status: "failed", attempts: 2, error: "thread exploded" });
  });

  it("close({timeoutMs}) hands a running trial back: trial queued again, job back in the queue, re-claimed by the next worker", async () => {
    const ids = await seed(long());
    const first = queue();
    await first.dispatcher.enqueue([ids]);
    await until(() => trial(ids.trialId), (t) => t.epochs >= 1, "live progress");
    await first.worker.close({ timeoutMs: 0 });
    const t = await trial(ids.trialId);
    expect(t).toMatchObject({ status: "queued", workerId: null, attempts: 1 });
    expect(await first.dispatcher.depth()).toBe(1);
    queue({ prefix: first.prefix }); // a new worker on the same queue picks it up
    await until(() => trial(ids.trialId), (x) => x.status === "running" && x.attempts === 2, "the second claim");
    await db.rows.updateSearch(ids.searchId, { status: "cancelled" });
    expect(await until(() => trial(ids.trialId), isFinal, "a final trial")).toMatchObject({ status: "cancelled", attempts: 2 });
  });

  it("embedded mode: the same worker on an InProcessQueue trains a trial to completion", async () => {
    const ids = await seed(tiny());
    const q = new InProcessQueue({ concurrency: 1 });
    const worker = startWorker({ db: db.db, consumer: q, concurrency: 1, workerId: "embedded" });
    closers.push(() => worker.close({ timeoutMs: 0 }));
    await q.enqueue([ids]);
    const t = await until(() => trial(ids.trialId), isFinal, "a final trial");
    expect(t).toMatchObject({ status: "completed", workerId: "embedded", epochs: 4 });
    await until(() => q.depth(), (d) => d === 0, "an empty queue");
  });

  it("fails a trial at once, without retries, when its stored config is invalid or its initFrom trial has no parameters", async () => {
    const bad = await seed({ dataset: { name: "imagenet" } } as unknown as TrialConfigInput);
    const orphan = await seed({ ...tiny(), model: { hidden: [12], initFrom: { trialId: "00000000-0000-4000-8000-000000000000" } } });
    const { dispatcher } = queue({ attempts: 3 });
    await dispatcher.enqueue([bad, orphan]);
    const b = await until(() => trial(bad.trialId), isFinal, "the invalid trial final");
    const o = await until(() => trial(orphan.trialId), isFinal, "the orphan trial final");
    expect(b).toMatchObject({ status: "failed", attempts: 1 });
    expect(b.error).toMatch(/invalid trial config/);
    expect(o).toMatchObject({ status: "failed", attempts: 1 });
    expect(o.error).toMatch(/no stored parameters/);
  });

  it("fails a trial at once, without retries, when training rejects its config as impossible (InvalidTrialConfigError from the thread)", async () => {
    // Parses as a TrialConfig, but the core cannot train it: more mnist digits than the package ships.
    const ids = await seed({ ...tiny(), dataset: { name: "mnist", trainSize: 9000, valSize: 2000 } });
    const { dispatcher } = queue({ attempts: 3 });
    await dispatcher.enqueue([ids]);
    const t = await until(() => trial(ids.trialId), isFinal, "a final trial");
    expect(t).toMatchObject({ status: "failed", attempts: 1 });
    expect(t.error).toMatch(/invalid trial config: .*mnist digits/);
  });

  it("fine-tunes from a finished trial's stored parameters (model.initFrom)", async () => {
    const source = await seed(tiny());
    const { dispatcher } = queue();
    await dispatcher.enqueue([source]);
    const s0 = await until(() => trial(source.trialId), isFinal, "the source trial");
    expect(s0.status).toBe("completed");
    const tuned = await seed({ ...tiny({ epochs: 1 }), model: { hidden: [12], initFrom: { trialId: source.trialId } } });
    await dispatcher.enqueue([tuned]);
    const t = await until(() => trial(tuned.trialId), isFinal, "the fine-tuned trial");
    expect(t).toMatchObject({ status: "completed", epochs: 1 });
    // it starts where the source ended, far below the loss of a fresh start
    expect(t.initialLoss!).toBeLessThan(s0.initialLoss!);
  });

  it("training off the event loop keeps job locks alive: two multi-second trials under a 1 s lock finish on their first attempt", async () => {
    // ~2–5 s per trial on this machine kind, i.e. several lock periods: without renewal the jobs would stall
    const cfg: TrialConfigInput = { ...long(), training: { epochs: 60, batchSize: 10, optimizer: "sgd", learningRate: 0.05 } };
    const a = await seed(cfg);
    const b = await seed(cfg);
    const { dispatcher } = queue({ lockMs: 1000 });
    await dispatcher.enqueue([a, b]);
    for (const id of [a.trialId, b.trialId]) {
      const t = await until(() => trial(id), isFinal, "a final trial", 120_000);
      expect(t).toMatchObject({ status: "completed", attempts: 1, epochs: 60 });
    }
  }, 150_000);
});
