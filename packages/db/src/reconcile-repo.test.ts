import type { TrialConfig } from "@hps/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeConn, openConn, type Conn } from "./connection.ts";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { liveSearchIds, withSearchLock } from "./reconcile-repo.ts";

describe("reconcile-repo", () => {
  let db: TestDatabase;
  let other: Conn;
  let searchId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    other = openConn({ url: db.url, poolSize: 2 });
    const s = await db.conn.prisma.search.create({
      data: { name: "s", spec: {}, plannedTrials: 3, rounds: { create: { index: 0, space: {}, plannedTrials: 3 } } },
    });
    searchId = s.id;
  });
  afterAll(async () => {
    if (other) await closeConn(other);
    await db?.drop();
  });

  it("skips a search whose row lock another transaction holds, without waiting for it", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = withSearchLock(db.conn, searchId, async () => {
      entered();
      await held;
      return "first";
    });
    await inside;
    expect(await withSearchLock(other, searchId, async () => "second")).toBeNull();
    release();
    expect(await first).toEqual({ value: "first" });
    expect(await withSearchLock(other, searchId, async () => "third")).toEqual({ value: "third" });
  });

  it("inserts trials once per (round, index), marks enqueues in one batch and writes ranks (objectives stay as the worker stored them)", async () => {
    const r = await withSearchLock(db.conn, searchId, async (repo) => {
      const rows = [0, 1, 2].map((index) => ({ round: 0, index, params: { x: index }, config: {} as TrialConfig }));
      const first = await repo.insertTrials(rows);
      const second = await repo.insertTrials(rows);
      const next = await repo.markNextEnqueued(0, 2);
      return { first, second, next };
    });
    expect(r!.value.first).toBe(3);
    expect(r!.value.second).toBe(0);
    const again = await withSearchLock(db.conn, searchId, async (repo) => ({ round: repo.round, counts: repo.counts, rest: await repo.markNextEnqueued(0, 5) }));
    expect(again!.value.round?.index).toBe(0);
    expect(again!.value.counts).toEqual({ total: 3, open: 3, inFlight: 2 });
    expect(again!.value.rest.length).toBe(1);
    const trials = await db.conn.prisma.trial.findMany({ where: { searchId }, orderBy: { index: "asc" } });
    expect(r!.value.next).toEqual([trials[0]!.id, trials[1]!.id]);

    for (const [i, t] of trials.entries()) {
      await db.conn.prisma.trial.update({ where: { id: t.id }, data: { status: "completed", objective: i === 0 ? null : i / 10 } });
    }
    await withSearchLock(db.conn, searchId, async (repo) => {
      await repo.writeRanks(trials.map((t, i) => ({ id: t.id, rank: 3 - i })));
      expect((await repo.finalTrials()).map((t) => t.objective)).toEqual([null, 0.1, 0.2]);
      await repo.complete(trials[2]!.id);
    });
    const ranked = await db.conn.prisma.trial.findMany({ where: { searchId }, orderBy: { rank: "asc" } });
    expect(ranked.map((t) => [t.index, t.objective])).toEqual([[2, 0.2], [1, 0.1], [0, null]]);
    expect(await liveSearchIds(db.conn)).not.toContain(searchId);
    expect(await withSearchLock(db.conn, searchId, async () => 1)).toBeNull();
  });
});
