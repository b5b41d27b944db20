import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { baseConfigOf, SearchSpec, trialConfigFor, type Assignment, type SearchSpecInput } from "@hps/contracts";
import { createDb, type Db } from "@hps/db";
import { createTestDatabase, inspectDatabase, type TestDatabase } from "@hps/db/test-kit";
import { BullDispatcher, deleteQueueKeys, InProcessQueue } from "@hps/queue";
import { planRound, planTrials } from "@hps/search";
import { PLAN_CHUNK, Reconciler, type ReconcilerLogger } from "./reconciler.ts";
import { startScheduler } from "./scheduler.ts";
import { finishTrial, RecordingDispatcher, storeSearch } from "./test-kit.ts";

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

async function completedSearches(db: TestDatabase, ids: readonly string[]): Promise<number> {
  return (await Promise.all(ids.map((id) => db.rows.search(id)))).filter((s) => s.status === "completed").length;
}

/** What a test reads back: in-flight = queued/running trials handed to the queue. */
async function inFlight(db: TestDatabase, searchId: string): Promise<number> {
  return db.rows.countTrials({ searchId, status: ["queued", "running"], enqueued: true });
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
    const id = await storeSearch(db.db, spiralSpec());
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    const first = await rec.reconcile(id);
    expect(first?.planned).toBe(10);
    const again = await rec.reconcile(id);
    expect(again?.planned).toBe(0);

    const search = await db.rows.search(id);
    expect(search.status).toBe("running");
    const trials = await db.rows.trials({ searchId: id });
    expect(trials.map((t) => t.index)).toEqual([...Array(10).keys()]);
    const spec = SearchSpec.parse(spiralSpec());
    const expected = planRound(spec, 0, spec.space, spec.seed);
    expect(trials.map((t) => t.params)).toEqual(expected);
    expect(trials[4]!.config).toEqual(trialConfigFor(baseConfigOf(spec), expected[4]!));
    expect((trials[4]!.config as { seed: number }).seed).toBe(11);

    // A second planner inserting the same rows (what a replica would do) changes nothing.
    const dup = await db.db.scheduler.withSearchLock(id, (repo) =>
      repo.insertTrials(expected.map((params, index) => ({ round: 0, index, params, config: trialConfigFor(baseConfigOf(spec), params) }))),
    );
    expect(dup?.value).toBe(0);
    expect(await db.rows.countTrials({ searchId: id })).toBe(10);
  });

  it("plans a large random round in chunks as the queue drains, the same trials as planned whole", async () => {
    const trials = PLAN_CHUNK + 150;
    const input = spiralSpec({ strategy: { type: "random", trials, parallelism: 100 } });
    const id = await storeSearch(db.db, input);
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    const first = await rec.reconcile(id);
    // The first chunk fills the slots; the next (PLAN_CHUNK) follows once they are all handed over.
    expect(first).toMatchObject({ planned: 100, enqueued: 100 });
    expect(await db.rows.countTrials({ searchId: id })).toBe(100);
    expect(await rec.reconcile(id)).toMatchObject({ planned: PLAN_CHUNK, enqueued: 0 });
    expect(await db.rows.countTrials({ searchId: id })).toBe(100 + PLAN_CHUNK);
    // Finish trials until fewer than `parallelism` planned trials wait for the queue: the rest is planned.
    for (let pass = 0; (await db.rows.countTrials({ searchId: id })) < trials; pass++) {
      expect(pass).toBeLessThan(10);
      const open = await db.rows.trials({ searchId: id, status: "queued", enqueued: true });
      await db.rows.updateTrials({ ids: open.map((t) => t.id) }, { status: "completed", finishedAt: new Date() });
      await rec.reconcile(id);
    }
    const spec = SearchSpec.parse(input);
    const rows = await db.rows.trials({ searchId: id });
    expect(rows.map((t) => t.index)).toEqual([...Array(trials).keys()]);
    expect(rows.map((t) => t.params)).toEqual(planRound(spec, 0, spec.space, spec.seed));
    expect(await inFlight(db, id)).toBeLessThanOrEqual(100);
  });

  it("owns rounds and planned counts: the first pass creates round 0 and plans all rounds (a 3×2 grid over 2 rounds is 12 trials, 6 in round 0)", async () => {
    const id = await storeSearch(db.db, spiralSpec({
      space: {
        "training.learningRate": { type: "loguniform", low: 0.001, high: 1, points: 3 },
        "model.hidden": { type: "choice", values: [[16], [32]] },
      },
      strategy: { type: "grid", rounds: 2, parallelism: 2 },
    }));
    expect(await db.rows.rounds(id)).toEqual([]);
    expect((await db.rows.search(id)).plannedTrials).toBe(0);
    await new Reconciler({ db: db.db, dispatcher: bull, logger: quiet }).reconcile(id);
    expect((await db.rows.search(id)).plannedTrials).toBe(12);
    const rounds = await db.rows.rounds(id);
    expect(rounds.map((r) => [r.index, r.plannedTrials])).toEqual([[0, 6]]);
    expect(await db.rows.countTrials({ searchId: id, round: 0 })).toBe(6);
  });

  it("enqueues a trial only once its row is committed (a worker on another connection finds it)", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 4, parallelism: 4, rounds: 2 } }));
    const worker = inspectDatabase(db.url);
    const invisible: string[] = [];
    const seen: string[] = [];
    const checking = {
      enqueue: async (jobs: readonly { trialId: string; searchId: string }[]) => {
        const ids = jobs.map((j) => j.trialId);
        const found = await worker.rows.trials({ ids });
        const ok = new Set(found.map((t) => t.id));
        invisible.push(...ids.filter((t) => !ok.has(t)));
        seen.push(...ids);
        await bull.enqueue(jobs);
      },
    };
    try {
      const rec = new Reconciler({ db: db.db, dispatcher: checking, logger: quiet });
      expect((await rec.reconcile(id))?.enqueued).toBe(4);
      for (const t of await db.rows.trials({ searchId: id })) await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: 0.5 });
      const r = await rec.reconcile(id); // finish round 0 → plan round 1 → enqueue it, in one pass
      expect(r).toMatchObject({ advanced: true, planned: 4, enqueued: 4 });
      expect(seen.length).toBe(8);
      expect(invisible).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it("never has more than `parallelism` trials in flight and enqueues each trial once", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 10, parallelism: 3 } }));
    const disp = new RecordingDispatcher(bull);
    const rec = new Reconciler({ db: db.db, dispatcher: disp, logger: quiet });
    let finishedCount = 0;
    for (let step = 0; step < 40; step++) {
      const r = await rec.reconcile(id);
      if (r === null) break;
      expect(await inFlight(db, id)).toBeLessThanOrEqual(3);
      // A "worker" finishes the oldest enqueued trial (sometimes two) before the next pass.
      const open = (await db.rows.trials({ searchId: id, status: "queued", enqueued: true })).slice(0, step % 2 ? 2 : 1);
      for (const t of open) {
        await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: 0.1 * (t.index + 1) });
        finishedCount++;
      }
    }
    expect(finishedCount).toBe(10);
    expect(disp.asked.length).toBe(10);
    expect(new Set(disp.asked).size).toBe(10);
    const s = await db.rows.search(id);
    expect(s.status).toBe("completed");
  });

  it("completes with the best trial and ranks completed trials by objective, stopped ones last", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 6, parallelism: 6 } }));
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const trials = await db.rows.trials({ searchId: id });
    expect(trials.every((t) => t.enqueuedAt !== null)).toBe(true);
    const acc = [0.5, 0.9, 0.7, null, 0.2, null];
    for (const [i, t] of trials.entries()) {
      if (acc[i] === null) await finishTrial(db.rows, t.id, { status: "stopped", stopReason: "loss_exploded" });
      else await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: acc[i]! });
    }
    const r = await rec.reconcile(id);
    expect(r?.finished).toBe("completed");
    const s = await db.rows.search(id);
    expect(s.status).toBe("completed");
    expect(s.bestTrialId).toBe(trials[1]!.id);
    const ranked = await db.rows.trials({ searchId: id }, "rank");
    expect(ranked.map((t) => t.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ranked.slice(0, 4).map((t) => t.index)).toEqual([1, 2, 0, 4]);
    expect(ranked.slice(4).every((t) => t.status === "stopped")).toBe(true);
    expect(ranked[0]!.objective).toBeCloseTo(0.9);
    expect(await rec.reconcile(id)).toBeNull(); // no longer live
  });

  it("ranks pruned trials (no objective) after completed ones by the epochs they trained, then their value there; diverged ones last", async () => {
    const id = await storeSearch(db.db, spiralSpec({ training: { epochs: 4 }, strategy: { type: "random", trials: 7, parallelism: 7 } }));
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const trials = await db.rows.trials({ searchId: id });
    const ends = [
      { status: "completed", valAccuracy: 0.5, epochs: 4 },
      { status: "stopped", stopReason: "pruned", valAccuracy: 0.6, epochs: 3 },
      { status: "stopped", stopReason: "pruned", valAccuracy: 0.7, epochs: 1 },
      { status: "stopped", stopReason: "pruned", valAccuracy: 0.9, epochs: 1 },
      { status: "stopped", stopReason: "loss_exploded", valAccuracy: 0.95, epochs: 3 },
      { status: "completed", valAccuracy: 0.4, epochs: 4 },
      { status: "stopped", stopReason: "pruned", valAccuracy: 0.8, epochs: 1 },
    ] as const;
    for (const [i, t] of trials.entries()) await finishTrial(db.rows, t.id, ends[i]!);
    expect((await rec.reconcile(id))?.finished).toBe("completed");
    const ranked = await db.rows.trials({ searchId: id }, "rank");
    expect(ranked.map((t) => t.index)).toEqual([0, 5, 1, 3, 6, 2, 4]);
    expect((await db.rows.search(id)).bestTrialId).toBe(trials[0]!.id);
  });

  it("fails a search none of whose trials completed, saying how they ended", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 3, parallelism: 3 } }));
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const trials = await db.rows.trials({ searchId: id });
    for (const t of trials) await finishTrial(db.rows, t.id, { status: "failed" });
    expect((await rec.reconcile(id))?.finished).toBe("failed");
    const s = await db.rows.search(id);
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/no trial completed \(3 failed\)/);
    expect(s.bestTrialId).toBeNull();
  });

  it("fails a search past strategy.maxFailedTrials, naming the most common error, and cancels its queued trials", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 6, parallelism: 3, maxFailedTrials: 2 } }));
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const [a, b, c] = await db.rows.trials({ searchId: id, status: "queued", enqueued: true });
    await db.rows.updateTrials({ ids: [a!.id, b!.id] }, { status: "failed", error: "out of memory: boom", finishedAt: new Date() });
    expect((await rec.reconcile(id))?.finished).toBeNull(); // 2 failures: within the allowance
    await db.rows.updateTrials({ ids: [c!.id] }, { status: "failed", error: "something else", finishedAt: new Date() });
    expect((await rec.reconcile(id))?.finished).toBe("failed");
    const s = await db.rows.search(id);
    expect(s.status).toBe("failed");
    expect(s.error).toBe("3 trials failed, more than strategy.maxFailedTrials (2); most common error (2×): out of memory: boom");
    const rest = await db.rows.trials({ searchId: id, status: "cancelled" });
    expect(rest.map((t) => t.stopReason)).toEqual(["cancelled", "cancelled", "cancelled"]);
  });

  it("past strategy.maxSeconds plans nothing more: queued trials are cancelled (timeout), running ones end, the search completes with what it has", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 4, parallelism: 2, rounds: 2, maxSeconds: 30 } }));
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const [first, second] = await db.rows.trials({ searchId: id, status: "queued", enqueued: true });
    await db.rows.updateTrials({ ids: [first!.id] }, { status: "running", attempts: 1 });
    await finishTrial(db.rows, second!.id, { status: "completed", valAccuracy: 0.4 });
    expect((await rec.reconcile(id))?.finished).toBeNull(); // within its 30 s
    await db.rows.updateSearch(id, { createdAt: new Date(Date.now() - 31_000) });
    expect((await rec.reconcile(id))?.finished).toBeNull(); // waits for the running trial
    const cancelled = await db.rows.trials({ searchId: id, status: "cancelled" });
    expect(cancelled.map((t) => t.stopReason)).toEqual(["timeout", "timeout"]);
    await finishTrial(db.rows, first!.id, { status: "completed", valAccuracy: 0.6 });
    expect((await rec.reconcile(id))?.finished).toBe("completed");
    const s = await db.rows.search(id);
    expect(s.bestTrialId).toBe(first!.id);
    expect(await db.rows.rounds(id)).toHaveLength(1); // round 1 never planned
    expect(await db.rows.countTrials({ searchId: id })).toBe(4);
  });

  it("keeps the top strategy.keepModels models and any a spec fine-tunes from when the search finishes; drops the rest", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 5, parallelism: 5, keepModels: 2 } }));
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const trials = await db.rows.trials({ searchId: id });
    for (const [i, t] of trials.entries()) {
      await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: 0.1 * (i + 1) });
      await db.rows.insertArtifact(t.id, new Uint8Array([i]));
    }
    // Another search's trial fine-tunes from the worst one.
    const other = await db.rows.insertSearch({ spec: {} });
    await db.rows.insertTrial({ searchId: other, config: { model: { initFrom: { trialId: trials[0]!.id } } } });
    expect((await rec.reconcile(id))?.finished).toBe("completed");
    const kept = [];
    for (const t of trials) if ((await db.rows.trial(t.id)).artifact) kept.push(t.id);
    expect(kept.sort()).toEqual([trials[0]!.id, trials[3]!.id, trials[4]!.id].sort());
    expect(await db.rows.countArtifacts(id)).toBe(3);
  });

  it("fails a search that cannot be planned instead of retrying it forever", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 3, parallelism: 3 } }));
    // A round whose stored space the planner rejects (as if written by a buggy or older version).
    await db.rows.insertRound({ searchId: id, index: 0, space: { "training.learningRate": { type: "uniform", low: 1, high: 0 } }, plannedTrials: 3 });
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    expect((await rec.reconcile(id))?.finished).toBe("failed");
    const s = await db.rows.search(id);
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/round 0 cannot be planned/);
    expect(await db.rows.countTrials({ searchId: id })).toBe(0);
  });

  it("advances to a narrowed next round around the best trials", async () => {
    const id = await storeSearch(
      db.db,
      spiralSpec({ strategy: { type: "random", trials: 8, parallelism: 8, rounds: 2, keepFraction: 0.25 } }),
    );
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    const r0 = await db.rows.trials({ searchId: id, round: 0 });
    expect(r0.length).toBe(8);
    // Accuracy peaks at lr = 0.1: the best quarter lies around it.
    const score = (lr: number) => 1 / (1 + Math.abs(Math.log10(lr) + 1));
    for (const t of r0) {
      await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: score((t.params as Record<string, number>)["training.learningRate"]!) });
    }
    const r = await rec.reconcile(id);
    expect(r?.advanced).toBe(true);
    expect(r?.planned).toBe(8);

    const rounds = await db.rows.rounds(id);
    expect(rounds.length).toBe(2);
    expect(rounds[0]!.finishedAt).not.toBeNull();
    const space = rounds[1]!.space as Record<string, { low: number; high: number }>;
    const lr = space["training.learningRate"]!;
    expect(lr.high / lr.low).toBeLessThan(1e4); // narrower than [1e-3, 10]
    expect(lr.low).toBeGreaterThanOrEqual(1e-3);
    expect(lr.high).toBeLessThanOrEqual(10);
    expect(String((rounds[1]!.narrowing as Record<string, string>)["training.learningRate"])).toMatch(/training\.learningRate/);
    // Round 0 is ranked; round 1's trials sample the narrowed range.
    expect((await db.rows.trials({ searchId: id, round: 0, rank: null })).length).toBe(0);
    const r1 = await db.rows.trials({ searchId: id, round: 1 });
    expect(r1.length).toBe(8);
    for (const t of r1) {
      const v = (t.params as Record<string, number>)["training.learningRate"]!;
      expect(v).toBeGreaterThanOrEqual(lr.low);
      expect(v).toBeLessThanOrEqual(lr.high);
    }
    for (const t of r1) await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: 0.5 });
    expect((await rec.reconcile(id))?.finished).toBe("completed");
    const all = await db.rows.trials({ searchId: id }, "rank");
    expect(all.map((t) => t.rank)).toEqual([...Array(16).keys()].map((i) => i + 1));
  });

  it("refines the planned trial count when a narrowed grid round holds fewer points", async () => {
    // 4 widths × 3 learning rates; only the width matters, so the two losing widths (3 trials each,
    // none in the better half) are dropped and round 1 is 2 × 3 points.
    const id = await storeSearch(db.db, spiralSpec({
      space: {
        "model.hidden": { type: "choice", values: [[8], [16], [32], [64]] },
        "training.learningRate": { type: "loguniform", low: 0.01, high: 1, points: 3 },
      },
      strategy: { type: "grid", parallelism: 12, rounds: 2, keepFraction: 0.25 },
    }));
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    await rec.reconcile(id);
    expect((await db.rows.search(id)).plannedTrials).toBe(24);
    for (const t of await db.rows.trials({ searchId: id })) {
      const p = t.params as { "model.hidden": number[]; "training.learningRate": number };
      await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: p["model.hidden"][0]! / 100 + p["training.learningRate"] / 1000 });
    }
    expect((await rec.reconcile(id))?.advanced).toBe(true);
    const r1 = await db.rows.trials({ searchId: id, round: 1 });
    expect(new Set(r1.map((t) => JSON.stringify((t.params as { "model.hidden": number[] })["model.hidden"])))).toEqual(new Set(["[32]", "[64]"]));
    expect(r1).toHaveLength(6);
    expect((await db.rows.search(id)).plannedTrials).toBe(18);
    for (const t of r1) await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: 0.7 });
    expect((await rec.reconcile(id))?.finished).toBe("completed");
    const s = await db.rows.search(id);
    expect(await db.rows.countTrials({ searchId: id })).toBe(s.plannedTrials);
  });

  it("plans a TPE round as slots free up, from the finished trials, with the round's epochs; a restarted scheduler never re-plans a trial", async () => {
    const id = await storeSearch(db.db, spiralSpec({
      training: { epochs: 5 },
      strategy: { type: "tpe", trials: 9, parallelism: 2, startupTrials: 3, rounds: [{ epochs: 2 }] },
    }));
    const seen = new Map<string, unknown>();
    for (let pass = 0; pass < 40; pass++) {
      // A fresh Reconciler every other pass: what a scheduler restart (or a second replica) starts from.
      const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
      const r = await rec.reconcile(id);
      const trials = await db.rows.trials({ searchId: id });
      for (const t of trials) {
        if (seen.has(t.id)) expect(t.params).toEqual(seen.get(t.id));
        else seen.set(t.id, t.params);
      }
      expect(trials.filter((t) => t.status === "queued" || t.status === "running").length).toBeLessThanOrEqual(2);
      if (r?.finished) break;
      // A worker finishes one open trial: accuracy peaks at learningRate 0.1 (log space).
      const open = trials.find((t) => t.status === "queued");
      if (open) {
        const lr = (open.params as { "training.learningRate": number })["training.learningRate"];
        await finishTrial(db.rows, open.id, { status: "completed", valAccuracy: 1 - Math.abs(Math.log10(lr) + 1) / 5 });
      }
    }
    const trials = await db.rows.trials({ searchId: id });
    expect((await db.rows.search(id)).status).toBe("completed");
    expect(trials.map((t) => t.index).sort((a, b) => a - b)).toEqual([...Array(9).keys()]);
    expect(trials.every((t) => (t.config as { training: { epochs: number } }).training.epochs === 2)).toBe(true);
    // Start-up trials are random search's; later ones come from the model of the finished ones.
    const spec = SearchSpec.parse(spiralSpec({ strategy: { type: "random", trials: 9 } }));
    const random = planRound(spec, 0, spec.space, spec.seed);
    const byIndex = [...trials].sort((a, b) => a.index - b.index).map((t) => t.params);
    expect(byIndex.slice(0, 3)).toEqual(random.slice(0, 3));
    expect(byIndex.slice(3)).not.toEqual(random.slice(3));
  });

  it("plans a TPE trial from a history whose pruned trials are ordered by their value at the epoch they reached (the best of them in l(x) when few trials completed)", async () => {
    const input = spiralSpec({ training: { epochs: 3 }, strategy: { type: "tpe", trials: 9, parallelism: 1, startupTrials: 8 } });
    const id = await storeSearch(db.db, input);
    const rec = new Reconciler({ db: db.db, dispatcher: bull, logger: quiet });
    // One completed trial, seven pruned at epoch 1 with distinct values: γ(8) = 2 puts the completed
    // one and the best pruned one in TPE's "below" group.
    const values = [0.5, 0.31, 0.62, 0.93, 0.44, 0.25, 0.76, 0.17];
    for (let i = 0; i < 8; i++) {
      await rec.reconcile(id);
      const open = (await db.rows.trials({ searchId: id, status: "queued" }))[0]!;
      await finishTrial(db.rows, open.id, i === 0 ? { status: "completed", valAccuracy: values[0]!, epochs: 3 } : { status: "stopped", stopReason: "pruned", valAccuracy: values[i]!, epochs: 1 });
    }
    await rec.reconcile(id);
    const trials = [...(await db.rows.trials({ searchId: id }))].sort((a, b) => a.index - b.index);
    expect(trials).toHaveLength(9);
    const order = [0, ...[1, 2, 3, 4, 5, 6, 7].sort((a, b) => values[b]! - values[a]!)];
    const spec = SearchSpec.parse(input);
    const [expected] = planTrials(spec, { round: 0, firstIndex: 8, count: 1, history: order.map((i) => ({ params: trials[i]!.params as Assignment })) }, spec.space, spec.seed);
    expect(trials[8]!.params).toEqual(expected);
  });

  it("cancels queued trials of a cancelled search and enqueues nothing more", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 5, parallelism: 2 } }));
    const disp = new RecordingDispatcher(bull);
    const rec = new Reconciler({ db: db.db, dispatcher: disp, logger: quiet });
    await rec.reconcile(id);
    expect(disp.asked.length).toBe(2);
    await db.rows.updateSearch(id, { status: "cancelled" });
    expect(await db.db.scheduler.cancelQueuedTrialsOfCancelledSearches()).toBe(5);
    expect(await db.db.scheduler.cancelQueuedTrialsOfCancelledSearches()).toBe(0);
    expect(await rec.reconcile(id)).toBeNull();
    expect(disp.asked.length).toBe(2);
    const statuses = await db.rows.trials({ searchId: id });
    expect(statuses.every((t) => t.status === "cancelled" && t.stopReason === "cancelled")).toBe(true);
  });

  it("two replicas working the same searches concurrently neither duplicate trials nor enqueue a trial twice", async () => {
    const ids = await Promise.all([0, 1, 2].map(() => storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 12, parallelism: 4 } }))));
    const dbB = createDb({ url: db.url, poolSize: 4 });
    try {
      const disp = new RecordingDispatcher(bull);
      const a = new Reconciler({ db: db.db, dispatcher: disp, logger: quiet });
      const b = new Reconciler({ db: dbB, dispatcher: disp, logger: quiet });
      for (let step = 0; step < 60; step++) {
        await Promise.all(ids.flatMap((id) => [a.reconcile(id), b.reconcile(id)]));
        for (const id of ids) expect(await inFlight(db, id)).toBeLessThanOrEqual(4);
        const open = await (await db.rows.trials({ searchIds: ids, status: "queued", enqueued: true })).slice(0, 5);
        if (open.length === 0 && (await completedSearches(db, ids)) === 3) break;
        for (const t of open) await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: ((t.index * 7) % 12) / 12 });
      }
      expect(await completedSearches(db, ids)).toBe(3);
      const trials = await db.rows.trials({ searchIds: ids });
      expect(trials.length).toBe(36);
      expect(new Set(trials.map((t) => `${t.searchId}/${t.round}/${t.index}`)).size).toBe(36);
      expect(disp.asked.length).toBe(36);
      expect(new Set(disp.asked).size).toBe(36);
    } finally {
      await dbB.close();
    }
  });

  it("re-enqueues trials whose jobs the queue lost (Redis flushed) and leaves live ones alone", async () => {
    const lostPrefix = `hps-test-lost-${randomBytes(4).toString("hex")}`;
    const q = new BullDispatcher({ redisUrl: process.env.REDIS_URL!, prefix: lostPrefix });
    try {
      const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 4, parallelism: 4 } }));
      const rec = new Reconciler({ db: db.db, dispatcher: q, logger: quiet, lostJobAfterMs: 300 });
      expect((await rec.reconcile(id))?.enqueued).toBe(4);
      expect(await q.depth()).toBe(4);
      await deleteQueueKeys(process.env.REDIS_URL!, lostPrefix);
      expect(await q.depth()).toBe(0);
      // One trial started meanwhile (its job is the worker's now); the other three wait "in the queue".
      const [running] = await db.rows.trials({ searchId: id, index: 0 });
      await db.rows.updateTrials({ ids: [running!.id] }, { status: "running", attempts: 1 });
      await db.rows.updateTrials({ searchId: id }, { enqueuedAt: new Date(Date.now() - 60_000) });
      await new Promise((r) => setTimeout(r, 350)); // the next check is due
      await db.rows.updateTrials({ ids: [running!.id] }, { updatedAt: new Date() }); // its run just wrote
      const r = await rec.reconcile(id);
      expect(r?.reenqueued).toBe(3);
      expect(r?.enqueued).toBe(0);
      expect(await q.depth()).toBe(3);
      // The running trial is left alone while it writes; silent for longer than lostJobAfterMs, its job is restored too.
      await db.rows.updateTrials({ ids: [running!.id] }, { updatedAt: new Date(Date.now() - 60_000), enqueuedAt: new Date(Date.now() - 60_000) });
      await new Promise((r) => setTimeout(r, 350));
      expect((await rec.reconcile(id))?.reenqueued).toBe(4); // the three queued again (no-op adds) + the silent running one
      expect(await q.depth()).toBe(4);
    } finally {
      await q.close();
      await deleteQueueKeys(process.env.REDIS_URL!, lostPrefix);
    }
  });
  it("after a restart, hands every in-flight trial to the (new, empty) in-process queue again", async () => {
    const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 6, parallelism: 4 } }));
    const before = new InProcessQueue({ concurrency: 1 });
    const after = new InProcessQueue({ concurrency: 1 });
    try {
      expect((await new Reconciler({ db: db.db, dispatcher: before, logger: quiet }).reconcile(id))?.enqueued).toBe(4);
      const [first] = await db.rows.trials({ searchId: id, index: 0 });
      await db.rows.updateTrials({ ids: [first!.id] }, { status: "running", attempts: 1 });
      // The process died: `before` and its jobs are gone. A new scheduler starts with `after`.
      const r = await new Reconciler({ db: db.db, dispatcher: after, logger: quiet }).reconcile(id);
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
    const sched = await startScheduler({ db: db.db, dispatcher: bull, logger: { ...quiet, error() {} }, pollMs: 600_000 });
    try {
      await sched.idle();
      const id = await storeSearch(db.db, spiralSpec({ strategy: { type: "random", trials: 5, parallelism: 2 } }));
      await db.db.wakeups.notify(id);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await inFlight(db, id)) < 2) await new Promise((r) => setTimeout(r, 50));
      await sched.idle();
      expect(await inFlight(db, id)).toBe(2);
      expect(await db.rows.countTrials({ searchId: id })).toBe(5);
      expect(await bull.depth()).toBe(2);
    } finally {
      await sched.close();
      await sched.close();
    }
  });
});
