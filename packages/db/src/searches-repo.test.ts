import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchSpec } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
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

  it("createSearch stores the search and round 0 only", async () => {
    const d = await createSearch(db.prisma, { spec: spec("a"), plannedTrials: 8, firstRoundTrials: 4 });
    expect(d).toMatchObject({ name: "a", status: "queued", rounds: [{ index: 0, trials: 4, finished: 0, narrowing: {} }], best: null });
    expect(d.spec).toEqual(spec("a"));
    expect(await db.prisma.trial.count({ where: { searchId: d.id } })).toBe(0);
    expect((await db.prisma.search.findUniqueOrThrow({ where: { id: d.id } })).plannedTrials).toBe(8);
  });

  it("getSearchDetail is null for an unknown id", async () => {
    expect(await getSearchDetail(db.prisma, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("listSearches breaks createdAt ties by id", async () => {
    const at = new Date("2026-01-01T00:00:00.000Z");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createSearch(db.prisma, { spec: spec(`tie-${i}`), plannedTrials: 8, firstRoundTrials: 4 })).id);
    await db.prisma.search.updateMany({ where: { id: { in: ids } }, data: { createdAt: at } });
    const seen: string[] = [];
    let after;
    for (let n = 0; n < 20; n++) {
      const page = await listSearches(db.prisma, { limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.items.map((s) => s.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].sort().reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("cancelSearch: concurrent cancels change the search once; final searches conflict; unknown ids are not found", async () => {
    const { id } = await createSearch(db.prisma, { spec: spec("c"), plannedTrials: 8, firstRoundTrials: 4 });
    await db.prisma.trial.createMany({
      data: [0, 1].map((index) => ({ searchId: id, round: 0, index, params: {}, config: {}, status: index === 0 ? "queued" : "running" })),
    });
    const results = await Promise.all([cancelSearch(db.prisma, id), cancelSearch(db.prisma, id), cancelSearch(db.prisma, id)]);
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(results.every((r) => r.search.status === "cancelled")).toBe(true);
    const trials = await db.prisma.trial.findMany({ where: { searchId: id }, orderBy: { index: "asc" } });
    expect(trials.map((t) => [t.status, t.stopReason, t.finishedAt !== null])).toEqual([
      ["cancelled", "cancelled", true],
      ["running", null, false],
    ]);

    const done = await createSearch(db.prisma, { spec: spec("done"), plannedTrials: 8, firstRoundTrials: 4 });
    await db.prisma.search.update({ where: { id: done.id }, data: { status: "failed" } });
    await expect(cancelSearch(db.prisma, done.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(cancelSearch(db.prisma, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("statusTotals lists every status", async () => {
    const totals = await statusTotals(db.prisma);
    expect(Object.keys(totals.searches).sort()).toEqual(["cancelled", "completed", "failed", "queued", "running"]);
    expect(Object.keys(totals.trials).sort()).toEqual(["cancelled", "completed", "failed", "queued", "running", "stopped"]);
    expect(totals.searches.cancelled).toBe(1);
    expect(totals.searches.failed).toBe(1);
    expect(totals.trials.running).toBe(1);
  });
});
