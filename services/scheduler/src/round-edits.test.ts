import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchSpecInput, Space } from "@hps/contracts";
import type { ResolvedRoundEdit } from "@hps/db";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { InProcessQueue } from "@hps/queue";
import { Reconciler, type ReconcilerLogger } from "./reconciler.ts";
import { finishTrial, storeSearch } from "./test-kit.ts";

const quiet: ReconcilerLogger = { info() {}, warn() {}, debug() {} };

const spec: SearchSpecInput = {
  name: "edits",
  seed: 3,
  dataset: { name: "spiral", trainSize: 90, valSize: 30 },
  training: { epochs: 1 },
  space: { "training.learningRate": { type: "loguniform", low: 1e-3, high: 10 } },
  strategy: { type: "random", trials: 4, parallelism: 8, rounds: 2 },
};
const userSpace: Space = { "training.learningRate": { type: "loguniform", low: 0.05, high: 0.2 } };
const userRound = (trials: number, epochs: number): ResolvedRoundEdit => ({
  space: userSpace,
  trials,
  epochs,
  pruner: null,
  reasons: { "training.learningRate": "edited by the user" },
});

describe("Reconciler with rounds the user appended", () => {
  let db: TestDatabase;
  const queue = new InProcessQueue();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function finishOpen(searchId: string, value: (index: number) => number): Promise<void> {
    for (const t of await db.rows.trials({ searchId, status: ["queued", "running"] })) await finishTrial(db.rows, t.id, { status: "completed", valAccuracy: value(t.index) });
  }

  it("an edit replaces the automatic next round (not narrowed), is started exactly once across restarts, and a completed search runs it and completes again", async () => {
    const id = await storeSearch(db.db, spec);
    const first = new Reconciler({ db: db.db, dispatcher: queue, logger: quiet });
    expect((await first.reconcile(id))?.planned).toBe(4);
    // The user appends round 1 while round 0 runs: it takes the place of the spec's round 1.
    const appended = await db.db.rounds.append(id, (ctx) => {
      expect(ctx).toMatchObject({ index: 1, status: "running" });
      return userRound(3, 2);
    });
    expect(appended.edit.index).toBe(1);

    await finishOpen(id, (i) => 0.5 + i / 100);
    const advanced = await first.reconcile(id);
    expect(advanced).toMatchObject({ advanced: true, planned: 3 });
    const rounds = await db.rows.rounds(id);
    expect(rounds.map((r) => [r.index, r.space, r.narrowing, r.plannedTrials])).toEqual([
      [0, spec.space, {}, 4],
      [1, userSpace, { "training.learningRate": "edited by the user" }, 3],
    ]);
    const round1 = await db.rows.trials({ searchId: id, round: 1 });
    expect(round1.map((t) => (t.config as { training: { epochs: number } }).training.epochs)).toEqual([2, 2, 2]);
    for (const t of round1) {
      const lr = (t.params as Record<string, number>)["training.learningRate"]!;
      expect(lr).toBeGreaterThanOrEqual(0.05);
      expect(lr).toBeLessThanOrEqual(0.2);
    }
    expect((await db.rows.search(id)).plannedTrials).toBe(7);

    // A restarted scheduler (a fresh reconciler) neither re-plans the edited round nor adds the automatic one.
    const restarted = new Reconciler({ db: db.db, dispatcher: queue, logger: quiet });
    expect(await restarted.reconcile(id)).toMatchObject({ planned: 0, advanced: false });
    expect(await db.rows.countTrials({ searchId: id })).toBe(7);

    // Round 1 was the spec's last place: the search completes, the 2-epoch trials ranked first.
    await finishOpen(id, () => 0.4);
    expect((await restarted.reconcile(id))?.finished).toBe("completed");
    const done = await db.rows.search(id);
    expect((await db.rows.trial(done.bestTrialId!)).round).toBe(1);
    expect((await db.rows.rounds(id)).length).toBe(2);

    // An edit of the completed search: it runs again and completes again after the new round.
    const reopened = await db.db.rounds.append(id, () => userRound(2, 1));
    expect(reopened).toMatchObject({ status: "running", reopened: true, edit: { index: 2 } });
    expect(await restarted.reconcile(id)).toMatchObject({ advanced: true, planned: 2 });
    expect((await db.rows.search(id)).plannedTrials).toBe(9);
    await finishOpen(id, () => 0.99);
    expect((await restarted.reconcile(id))?.finished).toBe("completed");
    const again = await db.rows.search(id);
    expect(again.status).toBe("completed");
    // Ranking compares like with like: the 1-epoch trials of round 2 still rank after round 1's 2-epoch ones.
    expect((await db.rows.trial(again.bestTrialId!)).round).toBe(1);
    expect((await db.rows.trials({ searchId: id }, "rank")).map((t) => t.round)).toEqual([1, 1, 1, 2, 2, 0, 0, 0, 0]);
  });

  it("edits appended while the search is queued count in its planned trials from the first pass", async () => {
    const id = await storeSearch(db.db, { ...spec, strategy: { type: "random", trials: 4, parallelism: 8, rounds: 1 } });
    await db.db.rounds.append(id, (ctx) => {
      expect(ctx).toMatchObject({ index: 1, status: "queued", previousSpace: spec.space });
      return userRound(5, 1);
    });
    await new Reconciler({ db: db.db, dispatcher: queue, logger: quiet }).reconcile(id);
    expect((await db.rows.search(id)).plannedTrials).toBe(9);
  });
});
