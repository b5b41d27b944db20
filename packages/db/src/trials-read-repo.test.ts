import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { currentChangeKey, getTrialWithCurve, listChangedTrials, listTrials, type TrialKey, type TrialOrder } from "./trials-read-repo.ts";

describe("trials read repository", () => {
  let db: TestDatabase;
  let searchId: string;
  /** [round, index, rank] of the seeded trials; ranks repeat across rounds (per-round ranking). */
  const seeded: Array<[number, number, number | null]> = [
    [0, 0, 2], [0, 1, 1], [0, 2, null], [0, 3, 3],
    [1, 0, 1], [1, 1, null], [1, 2, 2], [1, 3, 2],
  ];
  beforeAll(async () => {
    db = await createTestDatabase();
    const s = await db.conn.prisma.search.create({ data: { name: "s", spec: {}, plannedTrials: 8 } });
    searchId = s.id;
    await db.conn.prisma.trial.createMany({
      data: seeded.map(([round, index, rank]) => ({ searchId, round, index, rank, params: {}, config: {}, status: rank === null ? "running" : "completed" })),
    });
  });
  afterAll(async () => {
    await db.drop();
  });

  async function walk(order: TrialOrder, limit: number): Promise<string[]> {
    const out: string[] = [];
    let after: TrialKey | undefined;
    for (let n = 0; n < 50; n++) {
      const page = (await listTrials(db.conn, searchId, { limit, order, ...(after ? { after } : {}) }))!;
      out.push(...page.items.map((t) => `${t.round}.${t.index}`));
      if (!page.next) return out;
      after = page.next;
    }
    throw new Error("no end");
  }

  it("rank order is total even with repeated ranks: (rank, round, index), unranked last", async () => {
    const expected = ["0.1", "1.0", "0.0", "1.2", "1.3", "0.3", "0.2", "1.1"];
    for (const limit of [1, 2, 3, 8, 100]) expect(await walk("rank", limit), `limit ${limit}`).toEqual(expected);
  });

  it("created order is (round, index)", async () => {
    expect(await walk("created", 3)).toEqual(seeded.map(([r, i]) => `${r}.${i}`));
  });

  it("null for a search that does not exist", async () => {
    const none = "00000000-0000-4000-8000-000000000000";
    expect(await listTrials(db.conn, none, { limit: 5, order: "rank" })).toBeNull();
    expect(await listChangedTrials(db.conn, none, { limit: 5, since: { seq: 0n } })).toBeNull();
    expect(await getTrialWithCurve(db.conn, none)).toBeNull();
  });

  it("changes feed: strictly after (changeSeq, id), resumable from the last key without gaps", async () => {
    const head = (await currentChangeKey(db.conn, searchId))!;
    const all = await db.conn.prisma.trial.findMany({ where: { searchId }, orderBy: { id: "asc" } });
    // One statement changes three trials (one version), another changes one more (the next).
    await db.conn.prisma.trial.updateMany({ where: { id: { in: all.slice(0, 3).map((t) => t.id) } }, data: { epochs: 5 } });
    await db.conn.prisma.trial.updateMany({ where: { id: all[5]!.id }, data: { epochs: 6 } });
    const got: string[] = [];
    let since = head;
    for (let n = 0; n < 10; n++) {
      const page = (await listChangedTrials(db.conn, searchId, { limit: 2, since }))!;
      got.push(...page.items.map((t) => t.id));
      if (!page.last) break;
      since = page.last;
    }
    expect(got).toEqual([...all.slice(0, 3).map((t) => t.id), all[5]!.id]);
    expect(since.seq).toBe(head.seq + 2n);
  });

  it("changes feed across a power of ten: versions 9…12 and 97…103 are paged in numeric order", async () => {
    // A fresh search, so its versions start low. Each trial is changed once, at a known version.
    const s = await db.conn.prisma.search.create({ data: { name: "digits", spec: {}, plannedTrials: 7 } });
    const trials = await db.rows.seedTrials(s.id, Array.from({ length: 7 }, () => ({ status: "running" as const })));
    const head = async () => (await currentChangeKey(db.conn, s.id))!;
    for (const [from, to] of [[9, 12], [97, 103]] as const) {
      while ((await head()).seq < BigInt(from - 1)) await db.rows.updateTrials({ ids: [trials[6]!] }, { epochs: Number((await head()).seq) });
      let since = await head();
      expect(since.seq).toBe(BigInt(from - 1));
      const expected = trials.slice(0, to - from + 1); // changed at versions from, from + 1, …, to
      for (const id of expected) await db.rows.updateTrials({ ids: [id] }, { epochs: 1 });
      const got: string[] = [];
      for (let n = 0; n < 20; n++) {
        const page = (await listChangedTrials(db.conn, s.id, { limit: 2, since }))!;
        if (!page.last) break;
        got.push(...page.items.map((t) => t.id));
        since = page.last;
      }
      expect(got, `${from}…${to}`).toEqual(expected);
      expect(since.seq).toBe(BigInt(to));
    }
  });
});
