import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EpochMetrics } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { listenForWakeups } from "./wakeups.ts";
import {
  claimTrial,
  failTrial,
  finishTrial,
  isSearchCancelled,
  recordEpochs,
  releaseTrial,
  runStates,
  type TrialOutcome,
} from "./trial-runs-repo.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const config = { seed: 1, dataset: { name: "spiral" }, training: { epochs: 3 } };

async function seed(opts: { objective?: object; trialConfig?: object } = {}): Promise<{ searchId: string; trialId: string }> {
  const search = await db.conn.prisma.search.create({
    data: { name: "s", status: "running", plannedTrials: 1, spec: { objective: opts.objective ?? { metric: "valLoss", goal: "minimize" } } },
  });
  const trial = await db.conn.prisma.trial.create({
    data: { searchId: search.id, round: 0, index: 0, params: {}, config: opts.trialConfig ?? config },
  });
  return { searchId: search.id, trialId: trial.id };
}

const point = (epoch: number, v: number): EpochMetrics => ({ epoch, trainLoss: v, valLoss: v + 0.1, trainAccuracy: 0.5, valAccuracy: 0.4 });

const outcome = (over: Partial<TrialOutcome> = {}): TrialOutcome => ({
  status: "completed",
  stopReason: null,
  metrics: { initialLoss: 1.1, finalLoss: 0.3, trainAccuracy: 0.9, valAccuracy: 0.8, valLoss: 0.35, epochs: 2 },
  curve: [point(1, 0.6), point(2, 0.3)],
  objective: 0.35,
  diagnostics: [{ code: "ok" }],
  artifact: { format: "hpsm", data: new Uint8Array([1, 2, 3]) },
  ...over,
});

describe("trial-runs-repo", () => {
  let ids: { searchId: string; trialId: string };
  beforeEach(async () => {
    ids = await seed();
  });

  it("claims: running, attempts counts claims, workerId, startedAt kept from the first claim, objective and config returned", async () => {
    const c1 = await claimTrial(db.conn, ids.trialId, "w1");
    expect(c1).toMatchObject({ kind: "run", attempt: 1, config, objective: { metric: "valLoss", goal: "minimize" }, initFrom: null });
    const first = await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } });
    const c2 = await claimTrial(db.conn, ids.trialId, "w2");
    expect(c2).toMatchObject({ kind: "run", attempt: 2 });
    const t = await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } });
    expect(t).toMatchObject({ status: "running", attempts: 2, workerId: "w2" });
    expect(t.startedAt).toEqual(first.startedAt);
  });

  it("skips a missing or final trial, and cancels (then skips) a trial of a cancelled search", async () => {
    expect(await claimTrial(db.conn, randomUUID(), "w")).toEqual({ kind: "skip", reason: "missing" });
    await db.conn.prisma.trial.update({ where: { id: ids.trialId }, data: { status: "completed" } });
    expect(await claimTrial(db.conn, ids.trialId, "w")).toEqual({ kind: "skip", reason: "final" });

    const other = await seed();
    await db.conn.prisma.search.update({ where: { id: other.searchId }, data: { status: "cancelled" } });
    expect(await isSearchCancelled(db.conn, other.searchId)).toBe(true);
    expect(await isSearchCancelled(db.conn, ids.searchId)).toBe(false);
    expect(await claimTrial(db.conn, other.trialId, "w")).toEqual({ kind: "skip", reason: "cancelled" });
    const t = await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: other.trialId } });
    expect(t).toMatchObject({ status: "cancelled", stopReason: "cancelled", attempts: 0 });
    expect(t.finishedAt).not.toBeNull();
  });

  it("finish twice: exactly one result, the second call returns false and changes nothing", async () => {
    await claimTrial(db.conn, ids.trialId, "w");
    expect(await finishTrial(db.conn, ids.trialId, 1, outcome())).toBe(true);
    const after1 = await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } });
    expect(await finishTrial(db.conn, ids.trialId, 1, outcome({ status: "stopped", stopReason: "loss_exploded", objective: 9 }))).toBe(false);
    const t = await db.rows.trial(ids.trialId);
    expect(t).toEqual({ ...after1, artifact: expect.anything() });
    // Stored gzip-compressed (artifact-codec.ts), read back as written.
    const raw = await db.conn.prisma.trialArtifact.findUniqueOrThrow({ where: { trialId: ids.trialId } });
    expect([raw.data[0], raw.data[1]]).toEqual([0x1f, 0x8b]);
    expect(t).toMatchObject({ status: "completed", stopReason: null, objective: 0.35, epochs: 2, valLoss: 0.35, diagnostics: [{ code: "ok" }] });
    expect([...t.artifact!.data]).toEqual([1, 2, 3]);
    expect(await db.conn.prisma.epochMetric.count({ where: { trialId: ids.trialId } })).toBe(2);
  });

  it("fences out a superseded run: after a re-claim the old attempt can neither record nor finish", async () => {
    await claimTrial(db.conn, ids.trialId, "old");
    await claimTrial(db.conn, ids.trialId, "new");
    expect(await recordEpochs(db.conn, ids.trialId, 1, [point(1, 9)])).toBe(false);
    expect(await finishTrial(db.conn, ids.trialId, 1, outcome())).toBe(false);
    expect(await db.conn.prisma.epochMetric.count({ where: { trialId: ids.trialId } })).toBe(0);
    expect(await runStates(db.conn, [{ trialId: ids.trialId, attempt: 1 }, { trialId: randomUUID(), attempt: 1 }])).toEqual(
      new Map([
        [ids.trialId, { owned: false, searchCancelled: false }],
        [expect.any(String), { owned: false, searchCancelled: false }],
      ]),
    );
    expect((await runStates(db.conn, [{ trialId: ids.trialId, attempt: 2 }])).get(ids.trialId)).toEqual({ owned: true, searchCancelled: false });
    expect(await finishTrial(db.conn, ids.trialId, 2, outcome())).toBe(true);
  });

  it("records epochs idempotently (a retry overwrites) and shows live progress; finish trims points past the final curve", async () => {
    await claimTrial(db.conn, ids.trialId, "w");
    expect(await recordEpochs(db.conn, ids.trialId, 1, [point(1, 1), point(2, 0.9), point(3, 0.8)])).toBe(true);
    expect(await recordEpochs(db.conn, ids.trialId, 1, [point(3, 0.8)])).toBe(true);
    let t = await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } });
    expect(t).toMatchObject({ epochs: 3, finalLoss: 0.8, trainAccuracy: 0.5, valAccuracy: 0.4 });
    expect(t.valLoss).toBeCloseTo(0.9);
    await claimTrial(db.conn, ids.trialId, "w"); // retried run: overwrites epoch 1 and 2
    expect(await recordEpochs(db.conn, ids.trialId, 2, [point(1, 5), point(2, 4)])).toBe(true);
    const curve = await db.conn.prisma.epochMetric.findMany({ where: { trialId: ids.trialId }, orderBy: { epoch: "asc" } });
    expect(curve.map((c) => [c.epoch, c.trainLoss])).toEqual([[1, 5], [2, 4], [3, 0.8]]);
    expect(await finishTrial(db.conn, ids.trialId, 2, outcome({ curve: [point(1, 5), { ...point(2, 4), valLoss: Number.NaN }] }))).toBe(true);
    const final = await db.conn.prisma.epochMetric.findMany({ where: { trialId: ids.trialId }, orderBy: { epoch: "asc" } });
    expect(final.map((c) => [c.epoch, c.trainLoss, c.valLoss])).toEqual([[1, 5, 5.1], [2, 4, null]]);
    t = await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } });
    expect(t.epochs).toBe(2);
  });

  it("stores no objective unless completed; non-finite metrics become null", async () => {
    await claimTrial(db.conn, ids.trialId, "w");
    const stopped = outcome({
      status: "stopped",
      stopReason: "non_finite",
      objective: 0.2,
      metrics: { initialLoss: 1.1, finalLoss: Number.NaN, trainAccuracy: null, valAccuracy: null, valLoss: Number.POSITIVE_INFINITY, epochs: 0 },
      curve: [],
      artifact: undefined,
    });
    expect(await finishTrial(db.conn, ids.trialId, 1, stopped)).toBe(true);
    const t = await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId }, include: { artifact: true } });
    expect(t).toMatchObject({ status: "stopped", stopReason: "non_finite", objective: null, finalLoss: null, valLoss: null, initialLoss: 1.1, artifact: null });
  });

  it("fails and releases only while the run owns the trial", async () => {
    await claimTrial(db.conn, ids.trialId, "w");
    expect(await releaseTrial(db.conn, ids.trialId, 2)).toBe(false);
    expect(await releaseTrial(db.conn, ids.trialId, 1)).toBe(true);
    expect(await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } })).toMatchObject({ status: "queued", workerId: null, attempts: 1 });
    await claimTrial(db.conn, ids.trialId, "w");
    expect(await failTrial(db.conn, ids.trialId, "boom", 1)).toBe(false);
    expect(await failTrial(db.conn, ids.trialId, "boom", 2)).toBe(true);
    expect(await failTrial(db.conn, ids.trialId, "again")).toBe(false);
    expect(await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } })).toMatchObject({ status: "failed", error: "boom" });
  });

  it("returns the stored parameters of the trial named by model.initFrom", async () => {
    const source = await seed();
    await claimTrial(db.conn, source.trialId, "w");
    await finishTrial(db.conn, source.trialId, 1, outcome({ artifact: { format: "hpsm", data: new Uint8Array([7, 8]) } }));
    const tuned = await seed({ trialConfig: { ...config, model: { initFrom: { trialId: source.trialId } } } });
    const c = await claimTrial(db.conn, tuned.trialId, "w");
    expect(c.kind === "run" && c.initFrom).toEqual({ trialId: source.trialId, params: new Uint8Array([7, 8]) });
    const orphan = await seed({ trialConfig: { ...config, model: { initFrom: { trialId: randomUUID() } } } });
    const c2 = await claimTrial(db.conn, orphan.trialId, "w");
    expect(c2.kind === "run" && c2.initFrom?.params).toBeNull();
  });

  it("a stored initFrom that is not a uuid claims with no parameters instead of failing the statement", async () => {
    const bad = await seed({ trialConfig: { ...config, model: { initFrom: { trialId: "not-a-uuid" } } } });
    const c = await claimTrial(db.conn, bad.trialId, "w");
    expect(c).toMatchObject({ kind: "run", attempt: 1, initFrom: { trialId: "not-a-uuid", params: null } });
  });

  it("concurrent claims of one trial each get their own attempt (the last one owns the trial)", async () => {
    const claims = await Promise.all(["a", "b", "c"].map((w) => claimTrial(db.conn, ids.trialId, w)));
    expect(claims.map((c) => (c.kind === "run" ? c.attempt : 0)).sort()).toEqual([1, 2, 3]);
    expect(await db.conn.prisma.trial.findUniqueOrThrow({ where: { id: ids.trialId } })).toMatchObject({ status: "running", attempts: 3 });
  });

  it("a retried run's finish replaces the stored artifact", async () => {
    await claimTrial(db.conn, ids.trialId, "w");
    expect(await finishTrial(db.conn, ids.trialId, 1, outcome())).toBe(true);
    await db.conn.prisma.trial.update({ where: { id: ids.trialId }, data: { status: "running" } }); // as if re-opened
    await claimTrial(db.conn, ids.trialId, "w");
    expect(await finishTrial(db.conn, ids.trialId, 2, outcome({ artifact: { format: "hpsm", data: new Uint8Array([9]) } }))).toBe(true);
    const art = (await db.rows.trial(ids.trialId)).artifact!;
    expect([...art.data]).toEqual([9]);
  });

  it("wakes the scheduler (search id) on a won finish, a failure and a cancel by the claim; not on a lost finish", async () => {
    const hints: string[] = [];
    const listener = await listenForWakeups(db.url, (h) => hints.push(h));
    try {
      const failed = await seed();
      const cancelled = await seed();
      await db.conn.prisma.search.update({ where: { id: cancelled.searchId }, data: { status: "cancelled" } });
      await claimTrial(db.conn, ids.trialId, "w");
      expect(await finishTrial(db.conn, ids.trialId, 1, outcome())).toBe(true);
      expect(await finishTrial(db.conn, ids.trialId, 1, outcome())).toBe(false);
      expect(await failTrial(db.conn, failed.trialId, "boom")).toBe(true);
      expect(await claimTrial(db.conn, cancelled.trialId, "w")).toEqual({ kind: "skip", reason: "cancelled" });
      await db.conn.prisma.$executeRaw`SELECT pg_notify('hps_scheduler_wake', 'end')`; // delivered after everything above
      for (let i = 0; i < 200 && !hints.includes("end"); i++) await new Promise((r) => setTimeout(r, 10));
      expect(hints.filter((h) => h !== "")).toEqual([ids.searchId, failed.searchId, cancelled.searchId, "end"]);
    } finally {
      await listener.close();
    }
  });
});
