/**
 * Integration: real Postgres (a fresh test database), real Redis (a unique BullMQ prefix),
 * the real thread-pool trainer on tiny spiral configs.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TrialConfigInput } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { BullConsumer, BullDispatcher, InProcessQueue, deleteQueueKeys } from "@hps/queue";
import type { Logger } from "./logger.ts";
import { modelParams } from "@hps/core";
import { startWorker, type RunningWorker } from "./start-worker.ts";
import { ThreadPoolTrainer } from "./thread-pool-trainer.ts";
import type { Trainer, TrainResult } from "./trainer.ts";

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
function queue(opts: { attempts?: number; trainer?: Trainer; prefix?: string; lockMs?: number; logger?: Logger; concurrency?: number } = {}) {
  const prefix = opts.prefix ?? `hps-test-worker-${randomBytes(5).toString("hex")}`;
  if (!opts.prefix) prefixes.push(prefix);
  const dispatcher = new BullDispatcher({ redisUrl, prefix, attempts: opts.attempts ?? 2, backoffMs: 10 });
  const concurrency = opts.concurrency ?? 2;
  const consumer = new BullConsumer({ redisUrl, prefix, concurrency, lockMs: opts.lockMs });
  const worker: RunningWorker = startWorker({
    db: db.db,
    consumer,
    concurrency,
    workerId: `test:${prefix}`,
    trainer: opts.trainer,
    logger: opts.logger,
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
/** A logger that records every entry (msg + fields), for asserting what a run reported. */
function recordingLogger(): { logger: Logger; entries: Array<Record<string, unknown> & { msg?: string }> } {
  const entries: Array<Record<string, unknown> & { msg?: string }> = [];
  const log = (obj: object, msg?: string) => void entries.push({ ...obj, msg });
  return { logger: { debug: log, info: log, warn: log, error: log }, entries };
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
    expect(t.artifact?.format).toBe("hps-model");
    expect(Buffer.from(t.artifact!.data).subarray(0, 4).toString()).toBe("HPSF"); // the model file (docs/model-format.md)
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

  it("the same trial delivered twice at once (two queues; both claimed before either finishes): attempts 2, one finish wins, the stored model is the winner's", async () => {
    const ids = await seed(tiny({ epochs: 30 }));
    const pool = new ThreadPoolTrainer({ size: 2 });
    closers.push(() => pool.close());
    // Both runs wait at the gate inside the trainer, i.e. after their claims, until both have
    // claimed; then both train for real. Each queue's trainer offsets the seed, so the two
    // runs produce different models and the stored one tells which run wrote it.
    let entered = 0;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const results = new Map<string, TrainResult>();
    const gated = (name: string, seedOffset: number): Trainer => ({
      run: async (config, hooks) => {
        if (++entered === 2) open();
        await Promise.race([gate, new Promise((r) => hooks.signal?.addEventListener("abort", r, { once: true }))]);
        const r = await pool.run({ ...config, seed: config.seed + seedOffset }, hooks);
        results.set(name, r);
        return r;
      },
    });
    const logs = { a: recordingLogger(), b: recordingLogger() };
    const a = queue({ trainer: gated("a", 0), logger: logs.a.logger });
    const b = queue({ trainer: gated("b", 1), logger: logs.b.logger });
    await Promise.all([a.dispatcher.enqueue([ids]), b.dispatcher.enqueue([ids])]);
    await until(async () => entered, (n) => n === 2, "both deliveries to claim the trial and reach training");
    await until(() => trial(ids.trialId), isFinal, "a final trial");
    await until(async () => (await a.dispatcher.depth()) + (await b.dispatcher.depth()), (d) => d === 0, "both queues drained");
    const t = await trial(ids.trialId);
    expect(t).toMatchObject({ status: "completed", epochs: 30, attempts: 2 });

    const outcome = (name: "a" | "b") => logs[name].entries.filter((e) => e.trialId === ids.trialId && /^trial (finished|superseded)|^final write lost/.test(e.msg ?? ""));
    const finished = (["a", "b"] as const).filter((n) => outcome(n).some((e) => e.msg === "trial finished"));
    expect(finished).toHaveLength(1); // exactly one finish won
    const winner = finished[0];
    const loser = winner === "a" ? "b" : "a";
    expect(outcome(winner)).toEqual([expect.objectContaining({ msg: "trial finished", attempt: 2 })]); // the later claim fences the earlier run out
    expect(outcome(loser)).toEqual([expect.objectContaining({ attempt: 1, msg: expect.stringMatching(/superseded|final write lost/) })]);
    expect(t.workerId).toBe(`test:${(winner === "a" ? a : b).prefix}`);

    const won = results.get(winner)!;
    expect(Buffer.from(modelParams(t.artifact!.data)).equals(Buffer.from(won.params))).toBe(true); // the model file's parameters
    const lost = results.get(loser);
    if (lost) expect(Buffer.from(lost.params).equals(Buffer.from(won.params))).toBe(false); // the check above can tell them apart
    expect(t.valAccuracy).toBe(won.metrics.valAccuracy);
    const curve = await db.rows.curve(ids.trialId);
    expect(curve.map((c) => [c.epoch, c.valAccuracy])).toEqual(won.curve.map((c) => [c.epoch, c.valAccuracy]));

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

  it("training off the event loop keeps job locks alive: two trials stay on their first attempt for four 1 s lock periods", async () => {
    const lockMs = 1000;
    const a = await seed(long());
    const b = await seed(long());
    // One slot more than trials: a job whose lock lapsed would be re-delivered into it at once
    // (the stalled check runs every lockMs), and its claim would make attempts 2.
    const { dispatcher } = queue({ lockMs, concurrency: 3 });
    await dispatcher.enqueue([a, b]);
    const ids = [a.trialId, b.trialId];
    const all = () => db.rows.trials({ ids });
    // Wait (by the clock that matters: how long each has been running) until both have trained
    // for 4 lock periods, whatever this machine's speed; both must still be on attempt 1.
    const running = await until(all, (ts) => ts.every((t) => t.status !== "queued" && (t.status !== "running" || t.attempts > 1 || (t.epochs >= 1 && Date.now() - t.startedAt!.getTime() >= 4 * lockMs))), "four lock periods of training", 60_000);
    expect(running.map((t) => [t.status, t.attempts])).toEqual([["running", 1], ["running", 1]]);
    await db.rows.updateSearches([a.searchId, b.searchId], { status: "cancelled" });
    for (const id of ids) {
      const t = await until(() => trial(id), isFinal, "a final trial");
      expect(t).toMatchObject({ status: "cancelled", attempts: 1 });
      expect(t.finishedAt!.getTime() - t.startedAt!.getTime()).toBeGreaterThanOrEqual(4 * lockMs);
    }
  });
});
