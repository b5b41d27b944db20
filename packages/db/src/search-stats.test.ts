/**
 * The trigger-maintained counts and versions (migration 20261201120000) under racing workers:
 * several processes' worth of handles claim, progress, finish, fail, release and re-claim the
 * same trials at once (duplicate deliveries included) while a poller follows the changes feed.
 * Afterwards the maintained counts equal a fresh GROUP BY, and the poller's view of every
 * trial equals the table: no change was missed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrialStatus } from "@hps/contracts";
import { createDb, type Db } from "./db.ts";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import type { ChangeKey } from "./trials-read-repo.ts";

let t: TestDatabase;
const workers: Db[] = [];
beforeAll(async () => {
  t = await createTestDatabase();
  for (let i = 0; i < 4; i++) workers.push(createDb({ url: t.url, poolSize: 4 }));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await t?.drop();
});

const TRIALS = 120;

/** One delivery of a trial's job: claim, maybe progress, then finish / fail / release as the attempt decides. */
async function deliver(w: Db, trialId: string, n: number): Promise<void> {
  const claim = await w.runs.claim(trialId, `w${n % 4}`);
  if (claim.kind !== "run") return;
  const { attempt } = claim;
  await w.runs.recordEpochs(trialId, attempt, [{ epoch: 1, trainLoss: 1, valLoss: 1, trainAccuracy: 0.5, valAccuracy: 0.5 }]);
  const pick = n % 5;
  if (pick === 0) await w.runs.release(trialId, attempt);
  else if (pick === 1) await w.runs.fail(trialId, "boom", attempt);
  else {
    const status = pick === 2 ? "stopped" : "completed";
    await w.runs.finish(trialId, attempt, {
      status, stopReason: status === "stopped" ? "loss_exploded" : null,
      metrics: { initialLoss: 2, finalLoss: 1, trainAccuracy: 0.6, valAccuracy: 0.5 + n / 1e4, valLoss: 1, epochs: 1 },
      curve: [], objective: status === "completed" ? 0.5 + n / 1e4 : null, diagnostics: [],
    });
  }
}

describe("search counts and versions under racing workers", () => {
  it("counts equal a GROUP BY and the changes feed misses nothing", async () => {
    const searchId = await t.rows.insertSearch({ status: "running", spec: { objective: { metric: "valAccuracy", goal: "maximize" } } });
    const ids = await t.rows.seedTrials(searchId, Array.from({ length: TRIALS }, (_, i) => ({ status: "queued" as TrialStatus, round: i % 2 })));
    const before = (await t.db.searches.version(searchId))!;

    // The poller: follows the feed from its head, keeping each trial's latest status.
    const seen = new Map<string, string>();
    let since: ChangeKey = (await t.db.trials.changeHead(searchId))!;
    let writing = true;
    const drain = async () => {
      for (;;) {
        const page = (await t.db.trials.changed(searchId, { limit: 7, since }))!;
        for (const tr of page.items) seen.set(tr.id, tr.status);
        if (!page.last) return;
        since = page.last;
      }
    };
    const poller = (async () => {
      while (writing) await drain();
    })();

    // Each trial's job is delivered 1–3 times across handles, all at once (duplicates, retries after release).
    const jobs: Array<Promise<void>> = [];
    ids.forEach((id, i) => {
      for (let d = 0; d <= i % 3; d++) jobs.push(deliver(workers[(i + d) % workers.length]!, id, i + d));
    });
    await Promise.all(jobs);
    writing = false;
    await poller;
    await drain();

    const rows = await t.rows.trials({ searchId });
    const actual = { queued: 0, running: 0, completed: 0, stopped: 0, failed: 0, cancelled: 0, total: rows.length };
    for (const r of rows) actual[r.status]++;
    const detail = (await t.db.searches.get(searchId))!;
    expect(detail.counts).toEqual(actual);
    expect(actual.queued + actual.running).toBeLessThan(TRIALS); // the race did move most trials
    for (const round of [0, 1]) {
      const finished = rows.filter((r) => r.round === round && !["queued", "running"].includes(r.status)).length;
      expect(detail.rounds.find((r) => r.index === round)?.finished ?? finished).toBe(finished);
    }
    // The poller saw only changes after its head, and its last view of each changed trial is the table's.
    for (const r of rows) if (r.status !== "queued" || seen.has(r.id)) expect(seen.get(r.id), r.id).toBe(r.status);
    expect(await t.db.searches.version(searchId)).not.toBe(before);
    // /metrics' totals come from the same counters.
    const totals = await t.db.searches.statusTotals();
    for (const s of ["queued", "running", "completed", "stopped", "failed", "cancelled"] as const) expect(totals.trials[s]).toBeGreaterThanOrEqual(actual[s]);
  });

  it("a cancel of many queued trials while workers claim them keeps counts exact", async () => {
    const searchId = await t.rows.insertSearch({ status: "running", spec: {} });
    const ids = await t.rows.seedTrials(searchId, Array.from({ length: 200 }, () => ({ status: "queued" as TrialStatus })));
    const claims = ids.slice(0, 60).map((id, i) => deliver(workers[i % workers.length]!, id, i));
    await Promise.all([...claims, t.db.searches.cancel(searchId)]);
    const rows = await t.rows.trials({ searchId });
    const detail = (await t.db.searches.get(searchId))!;
    expect(detail.counts.cancelled).toBe(rows.filter((r) => r.status === "cancelled").length);
    expect(detail.counts.total).toBe(200);
    expect(Object.entries(detail.counts).filter(([k]) => k !== "total").reduce((a, [, n]) => a + n, 0)).toBe(200);
    for (const s of ["queued", "running", "completed", "stopped", "failed"] as const) expect(detail.counts[s], s).toBe(rows.filter((r) => r.status === s).length);
  });

  it("the search version changes with the search row and with its trials, and not for enqueue bookkeeping", async () => {
    const searchId = await t.rows.insertSearch({ status: "running", spec: {} });
    const [trialId] = await t.rows.seedTrials(searchId, [{ status: "queued" }]);
    const v0 = await t.db.searches.version(searchId);
    await t.conn.pool.query(`UPDATE trials SET enqueued_at = now() WHERE id = $1`, [trialId]); // what the scheduler's markEnqueued writes
    expect(await t.db.searches.version(searchId)).toBe(v0);
    await workers[0]!.runs.claim(trialId!, "w");
    const v1 = await t.db.searches.version(searchId);
    expect(v1).not.toBe(v0);
    await t.rows.updateSearch(searchId, { name: "renamed" });
    expect(await t.db.searches.version(searchId)).not.toBe(v1);
    expect(await t.db.searches.version("00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("skips only statements that moved nothing but enqueued_at; a trials write from inside another trigger counts", async () => {
    const searchId = await t.rows.insertSearch({ status: "running", spec: {} });
    const [a, b] = await t.rows.seedTrials(searchId, [{ status: "queued" }, { status: "queued" }]);
    const feedFrom = async (since: ChangeKey) => (await t.db.trials.changed(searchId, { limit: 10, since }))!.items.map((x) => [x.id, x.rank]);
    let head = (await t.db.trials.changeHead(searchId))!;
    // enqueued_at with another column, updated_at and status untouched: a change clients see.
    await t.conn.pool.query(`UPDATE trials SET enqueued_at = now(), rank = 7 WHERE id = $1`, [a]);
    expect(await feedFrom(head)).toEqual([[a, 7]]);
    head = (await t.db.trials.changeHead(searchId))!;
    await t.conn.pool.query(`UPDATE trials SET enqueued_at = now() + interval '1 s' WHERE id = $1`, [a]);
    expect((await t.db.trials.changeHead(searchId))!.seq).toBe(head.seq);
    // A trials UPDATE issued by a trigger on another table (trigger depth 2).
    await t.conn.pool.query(`
      CREATE FUNCTION test_rank_on_rename() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE trials SET rank = 9 WHERE search_id = NEW.id AND round = 0 AND index = 1; RETURN NULL; END $$;
      CREATE TRIGGER test_rank_on_rename AFTER UPDATE OF name ON searches FOR EACH ROW EXECUTE FUNCTION test_rank_on_rename();`);
    try {
      await t.rows.updateSearch(searchId, { name: "renamed" });
      expect(await feedFrom(head)).toEqual([[b, 9]]);
    } finally {
      await t.conn.pool.query(`DROP TRIGGER test_rank_on_rename ON searches; DROP FUNCTION test_rank_on_rename()`);
    }
  });
});
