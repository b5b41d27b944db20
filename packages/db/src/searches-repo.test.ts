import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchSpec } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { cancelSearch, createSearch, getSearchDetail, listSearches, statusTotals } from "./searches-repo.ts";
import { ConflictError, NotFoundError } from "./errors.ts";

const spec = (name: string) =>
  SearchSpec.parse({
    name,
    dataset: { name: "spiral" },
    space: { "training.learningRate": { type: "loguniform", low: 0.001, high: 1 } },
    strategy: { type: "random", trials: 4, rounds: 2 },
  });

describe("searches repository", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it("createSearch stores the search only: rounds, planned counts and trials are the scheduler's", async () => {
    const d = await createSearch(db.conn, { spec: spec("a") });
    expect(d).toMatchObject({ name: "a", status: "queued", rounds: [], best: null });
    expect(d.spec).toEqual(spec("a"));
    expect(await db.conn.prisma.trial.count({ where: { searchId: d.id } })).toBe(0);
    expect(await db.conn.prisma.round.count({ where: { searchId: d.id } })).toBe(0);
    expect((await db.conn.prisma.search.findUniqueOrThrow({ where: { id: d.id } })).plannedTrials).toBe(0);
  });

  it("getSearchDetail is null for an unknown id", async () => {
    expect(await getSearchDetail(db.conn, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("listSearches breaks createdAt ties by id", async () => {
    const at = new Date("2026-01-01T00:00:00.000Z");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createSearch(db.conn, { spec: spec(`tie-${i}`) })).id);
    await db.conn.prisma.search.updateMany({ where: { id: { in: ids } }, data: { createdAt: at } });
    const seen: string[] = [];
    let after;
    for (let n = 0; n < 20; n++) {
      const page = await listSearches(db.conn, { limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.items.map((s) => s.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].sort().reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("cancelSearch: concurrent cancels change the search once; final searches conflict; unknown ids are not found", async () => {
    const { id } = await createSearch(db.conn, { spec: spec("c") });
    await db.conn.prisma.trial.createMany({
      data: [0, 1].map((index) => ({ searchId: id, round: 0, index, params: {}, config: {}, status: index === 0 ? "queued" : "running" })),
    });
    const results = await Promise.all([cancelSearch(db.conn, id), cancelSearch(db.conn, id), cancelSearch(db.conn, id)]);
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(results.every((r) => r.search.status === "cancelled")).toBe(true);
    const trials = await db.conn.prisma.trial.findMany({ where: { searchId: id }, orderBy: { index: "asc" } });
    expect(trials.map((t) => [t.status, t.stopReason, t.finishedAt !== null])).toEqual([
      ["cancelled", "cancelled", true],
      ["running", null, false],
    ]);

    const done = await createSearch(db.conn, { spec: spec("done") });
    await db.conn.prisma.search.update({ where: { id: done.id }, data: { status: "failed" } });
    await expect(cancelSearch(db.conn, done.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(cancelSearch(db.conn, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("statusTotals lists every status", async () => {
    const totals = await statusTotals(db.conn);
    expect(Object.keys(totals.searches).sort()).toEqual(["cancelled", "completed", "failed", "queued", "running"]);
    expect(Object.keys(totals.trials).sort()).toEqual(["cancelled", "completed", "failed", "queued", "running", "stopped"]);
    expect(totals.searches.cancelled).toBe(1);
    expect(totals.searches.failed).toBe(1);
    expect(totals.trials.running).toBe(1);
  });
});
