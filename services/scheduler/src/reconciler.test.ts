import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { baseConfigOf, SearchSpec, trialConfigFor, type SearchSpecInput } from "@hps/contracts";
import { createPrisma, createTestDatabase, notifyScheduler, withSearchLock, type PrismaClient, type TestDatabase } from "@hps/db";
import { BullDispatcher, deleteQueueKeys, InProcessQueue } from "@hps/queue";
import { planRound } from "@hps/search";
import { Reconciler, type ReconcilerLogger } from "./reconciler.ts";
import { startScheduler } from "./scheduler.ts";
import { finishTrial, RecordingDispatcher, storeSearch } from "./test-helpers.ts";

const quiet: ReconcilerLogger = { info() {}, warn() {}, debug() {} };

function spiralSpec(over: Partial<SearchSpecInput> = {}): SearchSpecInput {
  return {
    name: "t",
    seed: 11,
    dataset: { name: "spiral", trainSize: 90, valSize: 30 },
    training: { epochs: 1 },
    space: { "training.learningRate": { type: "loguniform", low: 1e-3, high: 10 } },
    strategy: { type: "random", trials: 10, parallelism: 3 },
    ...over,
  };
}

/** What a test reads back: in-flight = queued/running trials handed to the queue. */
async function inFlight(prisma: PrismaClient, searchId: string): Promise<number> {
  return prisma.trial.count({ where: { searchId, status: { in: ["queued", "running"] }, enqueuedAt: { not: null } } });
}

describe("Reconciler", () => {
  let db: TestDatabase;
  let bull: BullDispatcher;
  const prefix = `hps-test-sched-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    bull = new BullDispatcher({ redisUrl: process.env.REDIS_URL!, prefix });
  });
  afterAll(async () => {
    await bull?.close();
    await deleteQueueKeys(process.env.REDIS_URL!, prefix);
    await db?.drop();
  });

  it("plans the round once, with the deterministic assignments and their configs", async () => {
    const id = await storeSearch(db.prisma, spiralSpec());
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: bull, logger: quiet });
    const first = await rec.reconcile(id);
    expect(first?.planned).toBe(10);
    const again = await rec.reconcile(id);
    expect(again?.planned).toBe(0);

    const search = await db.prisma.search.findUniqueOrThrow({ where: { id } });
    expect(search.status).toBe("running");
    const trials = await db.prisma.trial.findMany({ where: { searchId: id }, orderBy: { index: "asc" } });
    expect(trials.map((t) => t.index)).toEqual([...Array(10).keys()]);
    const spec = SearchSpec.parse(spiralSpec());
    const expected = planRound(spec, 0, spec.space, spec.seed);
    expect(trials.map((t) => t.params)).toEqual(expected);
    expect(trials[4]!.config).toEqual(trialConfigFor(baseConfigOf(spec), expected[4]!));
    expect((trials[4]!.config as { seed: number }).seed).toBe(11);

    // A second planner inserting the same rows (what a replica would do) changes nothing.
    const dup = await withSearchLock(db.prisma, id, (repo) =>
      repo.insertTrials(expected.map((params, index) => ({ round: 0, index, params: params as object, config: {} }))),
    );
    expect(dup?.value).toBe(0);
    expect(await db.prisma.trial.count({ where: { searchId: id } })).toBe(10);
  });

  it("enqueues a trial only once its row is committed (a worker on another connection finds it)", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 4, parallelism: 4, rounds: 2 } }));
    const worker = createPrisma({ url: db.url, poolSize: 2 });
    const invisible: string[] = [];
    const seen: string[] = [];
    const checking = {
      enqueue: async (jobs: readonly { trialId: string; searchId: string }[]) => {
        const ids = jobs.map((j) => j.trialId);
        const found = await worker.trial.findMany({ where: { id: { in: ids } }, select: { id: true } });
        const ok = new Set(found.map((t) => t.id));
        invisible.push(...ids.filter((t) => !ok.has(t)));
        seen.push(...ids);
        await bull.enqueue(jobs);
      },
    };
    try {
      const rec = new Reconciler({ prisma: db.prisma, dispatcher: checking, logger: quiet });
      expect((await rec.reconcile(id))?.enqueued).toBe(4);
      for (const t of await db.prisma.trial.findMany({ where: { searchId: id } })) await finishTrial(db.prisma, t.id, { status: "completed", valAccuracy: 0.5 });
      const r = await rec.reconcile(id); // finish round 0 → plan round 1 → enqueue it, in one pass
      expect(r).toMatchObject({ advanced: true, planned: 4, enqueued: 4 });
      expect(seen.length).toBe(8);
      expect(invisible).toEqual([]);
    } finally {
      await worker.$disconnect();
    }
  });

  it("never has more than `parallelism` trials in flight and enqueues each trial once", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 10, parallelism: 3 } }));
    const disp = new RecordingDispatcher(bull);
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: disp, logger: quiet });
    let finishedCount = 0;
    for (let step = 0; step < 40; step++) {
      const r = await rec.reconcile(id);
      if (r === null) break;
      expect(await inFlight(db.prisma, id)).toBeLessThanOrEqual(3);
      // A "worker" finishes the oldest enqueued trial (sometimes two) before the next pass.
      const open = await db.prisma.trial.findMany({
        where: { searchId: id, status: "queued", enqueuedAt: { not: null } },
        orderBy: { index: "asc" },
        take: step % 2 ? 2 : 1,
      });
      for (const t of open) {
        await finishTrial(db.prisma, t.id, { status: "completed", valAccuracy: 0.1 * (t.index + 1) });
        finishedCount++;
      }
    }
    expect(finishedCount).toBe(10);
    expect(disp.asked.length).toBe(10);
    expect(new Set(disp.asked).size).toBe(10);
    const s = await db.prisma.search.findUniqueOrThrow({ where: { id } });
    expect(s.status).toBe("completed");
  });

  it("completes with the best trial and ranks completed trials by objective, stopped ones last", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 6, parallelism: 6 } }));
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const trials = await db.prisma.trial.findMany({ where: { searchId: id }, orderBy: { index: "asc" } });
    expect(trials.every((t) => t.enqueuedAt !== null)).toBe(true);
    const acc = [0.5, 0.9, 0.7, null, 0.2, null];
    for (const [i, t] of trials.entries()) {
      if (acc[i] === null) await finishTrial(db.prisma, t.id, { status: "stopped", stopReason: "loss_exploded" });
      else await finishTrial(db.prisma, t.id, { status: "completed", valAccuracy: acc[i]! });
    }
    const r = await rec.reconcile(id);
    expect(r?.finished).toBe("completed");
    const s = await db.prisma.search.findUniqueOrThrow({ where: { id } });
    expect(s.status).toBe("completed");
    expect(s.bestTrialId).toBe(trials[1]!.id);
    const ranked = await db.prisma.trial.findMany({ where: { searchId: id }, orderBy: { rank: "asc" } });
    expect(ranked.map((t) => t.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ranked.slice(0, 4).map((t) => t.index)).toEqual([1, 2, 0, 4]);
    expect(ranked.slice(4).every((t) => t.status === "stopped")).toBe(true);
    expect(ranked[0]!.objective).toBeCloseTo(0.9);
    expect(await rec.reconcile(id)).toBeNull(); // no longer live
  });

  it("fails a search none of whose trials completed, saying how they ended", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 3, parallelism: 3 } }));
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const trials = await db.prisma.trial.findMany({ where: { searchId: id } });
    for (const t of trials) await finishTrial(db.prisma, t.id, { status: "failed" });
    expect((await rec.reconcile(id))?.finished).toBe("failed");
    const s = await db.prisma.search.findUniqueOrThrow({ where: { id } });
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/no trial completed \(3 failed\)/);
    expect(s.bestTrialId).toBeNull();
  });

  it("fails a search that cannot be planned instead of retrying it forever", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 3, parallelism: 3 } }));
    // A round whose stored space the planner rejects (as if written by a buggy or older API).
    await db.prisma.round.updateMany({ where: { searchId: id }, data: { space: { "training.learningRate": { type: "uniform", low: 1, high: 0 } } } });
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: bull, logger: quiet });
    expect((await rec.reconcile(id))?.finished).toBe("failed");
    const s = await db.prisma.search.findUniqueOrThrow({ where: { id } });
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/round 0 cannot be planned/);
    expect(await db.prisma.trial.count({ where: { searchId: id } })).toBe(0);
  });

  it("advances to a narrowed next round around the best trials", async () => {
    const id = await storeSearch(
      db.prisma,
      spiralSpec({ strategy: { type: "random", trials: 8, parallelism: 8, rounds: 2, keepFraction: 0.25 } }),
    );
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const r0 = await db.prisma.trial.findMany({ where: { searchId: id, round: 0 } });
    expect(r0.length).toBe(8);
    // Accuracy peaks at lr = 0.1: the best quarter lies around it.
    const score = (lr: number) => 1 / (1 + Math.abs(Math.log10(lr) + 1));
    for (const t of r0) {
      await finishTrial(db.prisma, t.id, { status: "completed", valAccuracy: score((t.params as Record<string, number>)["training.learningRate"]!) });
    }
    const r = await rec.reconcile(id);
    expect(r?.advanced).toBe(true);
    expect(r?.planned).toBe(8);

    const rounds = await db.prisma.round.findMany({ where: { searchId: id }, orderBy: { index: "asc" } });
    expect(rounds.length).toBe(2);
    expect(rounds[0]!.finishedAt).not.toBeNull();
    const space = rounds[1]!.space as Record<string, { low: number; high: number }>;
    const lr = space["training.learningRate"]!;
    expect(lr.high / lr.low).toBeLessThan(1e4); // narrower than [1e-3, 10]
    expect(lr.low).toBeGreaterThanOrEqual(1e-3);
    expect(lr.high).toBeLessThanOrEqual(10);
    expect(String((rounds[1]!.narrowing as Record<string, string>)["training.learningRate"])).toMatch(/training\.learningRate/);
    // Round 0 is ranked; round 1's trials sample the narrowed range.
    expect((await db.prisma.trial.findMany({ where: { searchId: id, round: 0, rank: null } })).length).toBe(0);
    const r1 = await db.prisma.trial.findMany({ where: { searchId: id, round: 1 } });
    expect(r1.length).toBe(8);
    for (const t of r1) {
      const v = (t.params as Record<string, number>)["training.learningRate"]!;
      expect(v).toBeGreaterThanOrEqual(lr.low);
      expect(v).toBeLessThanOrEqual(lr.high);
    }
    for (const t of r1) await finishTrial(db.prisma, t.id, { status: "completed", valAccuracy: 0.5 });
    expect((await rec.reconcile(id))?.finished).toBe("completed");
    const all = await db.prisma.trial.findMany({ where: { searchId: id }, orderBy: { rank: "asc" } });
    expect(all.map((t) => t.rank)).toEqual([...Array(16).keys()].map((i) => i + 1));
  });

  it("refines the planned trial count when a narrowed grid round holds fewer points", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({
      space: { "model.hidden": { type: "choice", values: [[8], [16], [32], [64]] } },
      strategy: { type: "grid", parallelism: 4, rounds: 2, keepFraction: 0.25 },
    }));
    expect((await db.prisma.search.findUniqueOrThrow({ where: { id } })).plannedTrials).toBe(8);
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    for (const t of await db.prisma.trial.findMany({ where: { searchId: id } })) {
      await finishTrial(db.prisma, t.id, { status: "completed", valAccuracy: (t.params as { "model.hidden": number[] })["model.hidden"][0]! / 100 });
    }
    expect((await rec.reconcile(id))?.advanced).toBe(true);
    const r1 = await db.prisma.trial.findMany({ where: { searchId: id, round: 1 } });
    expect(r1.map((t) => t.params)).toEqual([{ "model.hidden": [64] }]);
    expect((await db.prisma.search.findUniqueOrThrow({ where: { id } })).plannedTrials).toBe(5);
    await finishTrial(db.prisma, r1[0]!.id, { status: "completed", valAccuracy: 0.7 });
    expect((await rec.reconcile(id))?.finished).toBe("completed");
    const s = await db.prisma.search.findUniqueOrThrow({ where: { id } });
    expect(await db.prisma.trial.count({ where: { searchId: id } })).toBe(s.plannedTrials);
  });

  it("cancels queued trials of a cancelled search and enqueues nothing more", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 5, parallelism: 2 } }));
    const disp = new RecordingDispatcher(bull);
    const rec = new Reconciler({ prisma: db.prisma, dispatcher: disp, logger: quiet });
    await rec.reconcile(id);
    expect(disp.asked.length).toBe(2);
    await db.prisma.search.update({ where: { id }, data: { status: "cancelled" } });
    const { cancelQueuedTrialsOfCancelledSearches } = await import("@hps/db");
    expect(await cancelQueuedTrialsOfCancelledSearches(db.prisma)).toBe(5);
    expect(await cancelQueuedTrialsOfCancelledSearches(db.prisma)).toBe(0);
    expect(await rec.reconcile(id)).toBeNull();
    expect(disp.asked.length).toBe(2);
    const statuses = await db.prisma.trial.findMany({ where: { searchId: id }, select: { status: true, stopReason: true } });
    expect(statuses.every((t) => t.status === "cancelled" && t.stopReason === "cancelled")).toBe(true);
  });

  it("two replicas working the same searches concurrently neither duplicate trials nor enqueue a trial twice", async () => {
    const ids = await Promise.all([0, 1, 2].map(() => storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 12, parallelism: 4 } }))));
    const prismaB = createPrisma({ url: db.url, poolSize: 4 });
    try {
      const disp = new RecordingDispatcher(bull);
      const a = new Reconciler({ prisma: db.prisma, dispatcher: disp, logger: quiet });
      const b = new Reconciler({ prisma: prismaB, dispatcher: disp, logger: quiet });
      for (let step = 0; step < 60; step++) {
        await Promise.all(ids.flatMap((id) => [a.reconcile(id), b.reconcile(id)]));
        for (const id of ids) expect(await inFlight(db.prisma, id)).toBeLessThanOrEqual(4);
        const open = await db.prisma.trial.findMany({ where: { searchId: { in: ids }, status: "queued", enqueuedAt: { not: null } }, take: 5 });
        if (open.length === 0 && (await db.prisma.search.count({ where: { id: { in: ids }, status: "completed" } })) === 3) break;
        for (const t of open) await finishTrial(db.prisma, t.id, { status: "completed", valAccuracy: ((t.index * 7) % 12) / 12 });
      }
      expect(await db.prisma.search.count({ where: { id: { in: ids }, status: "completed" } })).toBe(3);
      const trials = await db.prisma.trial.findMany({ where: { searchId: { in: ids } } });
      expect(trials.length).toBe(36);
      expect(new Set(trials.map((t) => `${t.searchId}/${t.round}/${t.index}`)).size).toBe(36);
      expect(disp.asked.length).toBe(36);
      expect(new Set(disp.asked).size).toBe(36);
    } finally {
      await prismaB.$disconnect();
    }
  });

  it("re-enqueues trials whose jobs the queue lost (Redis flushed) and leaves live ones alone", async () => {
    const lostPrefix = `hps-test-lost-${randomBytes(4).toString("hex")}`;
    const q = new BullDispatcher({ redisUrl: process.env.REDIS_URL!, prefix: lostPrefix });
    try {
      const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 4, parallelism: 4 } }));
      const rec = new Reconciler({ prisma: db.prisma, dispatcher: q, logger: quiet, lostJobAfterMs: 300 });
      expect((await rec.reconcile(id))?.enqueued).toBe(4);
      expect(await q.depth()).toBe(4);
      await deleteQueueKeys(process.env.REDIS_URL!, lostPrefix);
      expect(await q.depth()).toBe(0);
      // One trial started meanwhile (its job is the worker's now); the other three wait "in the queue".
      const [running] = await db.prisma.trial.findMany({ where: { searchId: id }, orderBy: { index: "asc" }, take: 1 });
      await db.prisma.trial.update({ where: { id: running!.id }, data: { status: "running", attempts: 1 } });
      await db.prisma.trial.updateMany({ where: { searchId: id }, data: { enqueuedAt: new Date(Date.now() - 60_000) } });
      await new Promise((r) => setTimeout(r, 350)); // the next check is due
      await db.prisma.$executeRaw`UPDATE trials SET updated_at = now() WHERE id = ${running!.id}::uuid`; // its run just wrote
      const r = await rec.reconcile(id);
      expect(r?.reenqueued).toBe(3);
      expect(r?.enqueued).toBe(0);
      expect(await q.depth()).toBe(3);
      // The running trial is left alone while it writes; silent for longer than lostJobAfterMs, its job is restored too.
      await db.prisma.$executeRaw`UPDATE trials SET updated_at = now() - interval '1 minute', enqueued_at = now() - interval '1 minute' WHERE id = ${running!.id}::uuid`;
      await new Promise((r) => setTimeout(r, 350));
      expect((await rec.reconcile(id))?.reenqueued).toBe(4); // the three queued again (no-op adds) + the silent running one
      expect(await q.depth()).toBe(4);
    } finally {
      await q.close();
      await deleteQueueKeys(process.env.REDIS_URL!, lostPrefix);
    }
  });
  it("after a restart, hands every in-flight trial to the (new, empty) in-process queue again", async () => {
    const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 6, parallelism: 4 } }));
    const before = new InProcessQueue({ concurrency: 1 });
    const after = new InProcessQueue({ concurrency: 1 });
    try {
      expect((await new Reconciler({ prisma: db.prisma, dispatcher: before, logger: quiet }).reconcile(id))?.enqueued).toBe(4);
      const [first] = await db.prisma.trial.findMany({ where: { searchId: id }, orderBy: { index: "asc" }, take: 1 });
      await db.prisma.trial.update({ where: { id: first!.id }, data: { status: "running", attempts: 1 } });
      // The process died: `before` and its jobs are gone. A new scheduler starts with `after`.
      const r = await new Reconciler({ prisma: db.prisma, dispatcher: after, logger: quiet }).reconcile(id);
      expect(r?.reenqueued).toBe(4);
      expect(r?.enqueued).toBe(0);
      expect(await after.depth()).toBe(4);
    } finally {
      await before.close();
      await after.close();
    }
  });
});

describe("startScheduler", () => {
  let db: TestDatabase;
  const prefix = `hps-test-loop-${randomBytes(4).toString("hex")}`;
  let bull: BullDispatcher;
  beforeAll(async () => {
    db = await createTestDatabase();
    bull = new BullDispatcher({ redisUrl: process.env.REDIS_URL!, prefix });
  });
  afterAll(async () => {
    await bull?.close();
    await deleteQueueKeys(process.env.REDIS_URL!, prefix);
    await db?.drop();
  });

  it("wakes on NOTIFY, plans and enqueues, and closes idempotently", async () => {
    const sched = await startScheduler({ prisma: db.prisma, databaseUrl: db.url, dispatcher: bull, logger: { ...quiet, error() {} }, pollMs: 600_000 });
    try {
      await sched.idle();
      const id = await storeSearch(db.prisma, spiralSpec({ strategy: { type: "random", trials: 5, parallelism: 2 } }));
      await notifyScheduler(db.prisma, id);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await inFlight(db.prisma, id)) < 2) await new Promise((r) => setTimeout(r, 50));
      await sched.idle();
      expect(await inFlight(db.prisma, id)).toBe(2);
      expect(await db.prisma.trial.count({ where: { searchId: id } })).toBe(5);
      expect(await bull.depth()).toBe(2);
    } finally {
      await sched.close();
      await sched.close();
    }
  });
});
