import { beforeAll, describe, expect, it } from "vitest";
import { TrialPage, TrialWithCurve, type Trial } from "@hps/contracts";
import { postSearch, useTestApi, validSpec } from "../test-kit.ts";
import { buildCheckedApp } from "../testing/checked-app.ts";

describe("trial routes", () => {
  const t = useTestApi();
  let searchId: string;
  let ids: string[];
  beforeAll(async () => {
    searchId = (await postSearch(t, validSpec())).json().id;
    // Two rounds; ranks out of creation order; unranked trials in both rounds.
    ids = await t.db.rows.seedTrials(searchId, [
      { status: "completed", valAccuracy: 0.5, rank: 3 },
      { status: "completed", valAccuracy: 0.9, rank: 1 },
      { status: "stopped", rank: 5 },
      { status: "running", epochs: 1 },
      { status: "completed", valAccuracy: 0.7, rank: 2 },
      { status: "failed", rank: 4 },
      { status: "queued", round: 1 },
      { status: "queued", round: 1 },
      { status: "completed", valAccuracy: 0.6, round: 1, rank: 6 },
    ]);
  });

  async function pages(query: string, limit: number): Promise<Trial[]> {
    const out: Trial[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 100; n++) {
      const res = await t.app.inject({ url: `/v1/searches/${searchId}/trials?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}` });
      expect(res.statusCode, res.body).toBe(200);
      const page = TrialPage.parse(res.json());
      expect(page.items.length).toBeLessThanOrEqual(limit);
      out.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) return out;
    }
    throw new Error("pagination did not end");
  }

  it("rank order: rank ascending, unranked last in (round, index) order; pages have no duplicates or gaps", async () => {
    const expected = [ids[1], ids[4], ids[0], ids[5], ids[2], ids[8], ids[3], ids[6], ids[7]];
    for (const limit of [1, 2, 4, 50]) {
      const got = await pages("&order=rank", limit);
      expect(got.map((x) => x.id), `limit ${limit}`).toEqual(expected);
    }
    expect((await pages("", 3)).map((x) => x.id)).toEqual(expected); // rank is the default order
  });

  it("created order: (round, index)", async () => {
    expect((await pages("&order=created", 2)).map((x) => x.id)).toEqual(ids);
  });

  it("filters by status", async () => {
    const got = await pages("&status=completed&order=rank", 2);
    expect(got.map((x) => x.id)).toEqual([ids[1], ids[4], ids[0], ids[8]]);
    expect(got.every((x) => x.status === "completed")).toBe(true);
  });

  it("maps rows to the contract's Trial: metrics null until something ran", async () => {
    const [queued] = await pages("&status=queued&order=created", 1);
    expect(queued!.metrics).toBeNull();
    expect(queued!.startedAt).toBeNull();
    const [best] = await pages("&status=completed&order=rank", 1);
    expect(best).toMatchObject({ rank: 1, metrics: { valAccuracy: 0.9, epochs: 2, initialLoss: 1.1 }, diagnostics: [] });
  });

  it("a cursor of one order is rejected by the other, and garbage cursors are 400", async () => {
    const first = (await t.app.inject({ url: `/v1/searches/${searchId}/trials?limit=1&order=rank` })).json();
    for (const q of [`order=created&cursor=${first.nextCursor}`, "cursor=bm9wZQ", "cursor=!!", "order=sideways", "status=weird", "limit=501"]) {
      const res = await t.app.inject({ url: `/v1/searches/${searchId}/trials?${q}` });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error).toBe("invalid_request");
    }
  });

  it("changedSince: from the feed's head, each later change once, in change order; a cursor to poll from", async () => {
    const since = (q: string) => t.app.inject({ url: `/v1/searches/${searchId}/trials?changedSince=${encodeURIComponent(q)}` });
    const head = await since("now");
    expect(head.statusCode).toBe(200);
    expect(head.json().items).toEqual([]);
    const cursor0 = head.json().nextCursor as string;
    expect((await since(cursor0)).json()).toEqual({ items: [], nextCursor: cursor0 });

    await t.db.rows.updateTrials({ ids: [ids[7]!] }, { epochs: 2 });
    await t.db.rows.updateTrials({ ids: [ids[6]!] }, { epochs: 3 });
    const r1 = await since(cursor0);
    expect(r1.json().items.map((x: Trial) => x.id)).toEqual([ids[7], ids[6]]); // change order, not id order
    const cursor1 = r1.json().nextCursor as string;
    expect((await since(cursor1)).json()).toEqual({ items: [], nextCursor: cursor1 });

    const later = await t.app.inject({ method: "POST", url: `/v1/searches/${searchId}/cancel` }); // queued → cancelled touches ids[6], ids[7]
    expect(later.statusCode).toBe(202);
    const r3 = await since(cursor1);
    // One statement gave both the same version: ties are ordered by id.
    expect(r3.json().items.map((x: Trial) => [x.id, x.status])).toEqual([ids[6]!, ids[7]!].sort().map((id) => [id, "cancelled"]));
    expect((await since("0")).json().items).toHaveLength(ids.length);
    expect((await since("not-a-date-or-cursor")).statusCode).toBe(400);
  });

  it("changedSince under concurrent writes: a poller following the cursor ends with every trial's latest state", async () => {
    const other = (await postSearch(t, validSpec())).json().id as string;
    const mine = await t.db.rows.seedTrials(other, Array.from({ length: 40 }, () => ({ status: "queued" as const })));
    let cursor = (await t.app.inject({ url: `/v1/searches/${other}/trials?changedSince=now` })).json().nextCursor as string;
    const latest = new Map<string, number>();
    const poll = async () => {
      for (;;) {
        const res = await t.app.inject({ url: `/v1/searches/${other}/trials?limit=5&changedSince=${encodeURIComponent(cursor)}` });
        const page = TrialPage.parse(res.json());
        for (const x of page.items) latest.set(x.id, x.metrics?.epochs ?? 0);
        if (page.items.length === 0) return;
        cursor = page.nextCursor!;
      }
    };
    let writing = true;
    const poller = (async () => {
      while (writing) await poll();
    })();
    // Writers on their own connections, interleaving: each trial's epochs move 1 → 2 → 3.
    await Promise.all(
      [1, 2, 3].map(async (round) => {
        for (const id of round === 2 ? [...mine].reverse() : mine) await t.db.rows.updateTrials({ ids: [id] }, { epochs: round === 1 ? 1 : undefined });
      }),
    );
    await Promise.all(mine.map((id, i) => t.db.rows.updateTrials({ ids: [id] }, { epochs: 2 + (i % 2) })));
    writing = false;
    await poller;
    await poll();
    const rows = await t.db.rows.trials({ searchId: other });
    expect(rows).toHaveLength(40);
    for (const r of rows) expect(latest.get(r.id), r.id).toBe(r.epochs);
  });

  it("GET /v1/trials/:id returns the trial with its curve ordered by epoch", async () => {
    const id = ids[1]!;
    for (const epoch of [3, 1, 2]) {
      await t.db.rows.insertEpoch({ trialId: id, epoch, trainLoss: 1 / epoch, valLoss: 1.2 / epoch, trainAccuracy: 0.3 * epoch, valAccuracy: null });
    }
    const res = await t.app.inject({ url: `/v1/trials/${id}` });
    expect(res.statusCode).toBe(200);
    const body = TrialWithCurve.parse(res.json());
    expect(body.id).toBe(id);
    expect(body.curve).toEqual([
      { epoch: 1, trainLoss: 1, valLoss: 1.2, trainAccuracy: 0.3, valAccuracy: null },
      { epoch: 2, trainLoss: 0.5, valLoss: 0.6, trainAccuracy: 0.6, valAccuracy: null },
      { epoch: 3, trainLoss: 1 / 3, valLoss: 1.2 / 3, trainAccuracy: 0.3 * 3, valAccuracy: null },
    ]);
  });

  it("the trial list answers 304 while nothing changed", async () => {
    const url = `/v1/searches/${searchId}/trials?order=created`;
    const first = await t.app.inject({ url });
    const etag = first.headers.etag as string;
    expect((await t.app.inject({ url, headers: { "if-none-match": etag } })).statusCode).toBe(304);
    await t.db.rows.updateTrials({ ids: [ids[3]!] }, { epochs: 2 });
    const changed = await t.app.inject({ url, headers: { "if-none-match": etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    // The 304 is decided on the version alone: with the page reads failing, a current ETag still gets it.
    const real = t.db.db;
    const broken = { ...real.trials, list: () => Promise.reject(new Error("page read")), changed: () => Promise.reject(new Error("feed read")) };
    const app = await buildCheckedApp({ db: { ...real, trials: broken } });
    try {
      const tag = changed.headers.etag as string;
      expect((await app.inject({ url, headers: { "if-none-match": tag } })).statusCode).toBe(304);
      expect((await app.inject({ url: `${url}&changedSince=0`, headers: { "if-none-match": tag } })).statusCode).toBe(304);
      expect((await app.inject({ url, headers: { "if-none-match": etag } })).statusCode).toBe(500);
    } finally {
      await app.close();
    }
  });
});
