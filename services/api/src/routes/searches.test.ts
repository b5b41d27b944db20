import { describe, expect, it } from "vitest";
import { buildCheckedApp } from "../testing/checked-app.ts";
import { SearchDetail, SearchPage } from "@hps/contracts";
import { postSearch, useTestApi, validSpec } from "../test-kit.ts";

describe("searches routes", () => {
  const t = useTestApi();
  const post = (payload: unknown) => postSearch(t, payload);

  it("POST stores a queued search only (no rounds, no planned counts, no trials: the scheduler's) and returns its detail", async () => {
    const before = await t.db.rows.counts();
    const res = await post(validSpec());
    expect(res.statusCode).toBe(201);
    const body = SearchDetail.parse(res.json());
    expect(res.headers.location).toBe(`/v1/searches/${body.id}`);
    expect(body).toMatchObject({ name: "spiral-lr", status: "queued", best: null, error: null });
    expect(body.counts).toEqual({ queued: 0, running: 0, completed: 0, stopped: 0, failed: 0, cancelled: 0, total: 0 });
    expect(body.rounds).toEqual([]);
    // The stored spec is the parsed one: defaults filled in.
    expect(body.spec.training.momentum).toBe(0.9);
    expect(body.spec.earlyStopping).toEqual({ lossFactor: 3 });

    expect((await t.db.rows.search(body.id)).plannedTrials).toBe(0);
    const after = await t.db.rows.counts();
    expect(after).toEqual({ searches: before.searches + 1, rounds: before.rounds, trials: before.trials });
  });

  it("POST accepts a buildable mnist CNN", async () => {
    const res = await post(
      validSpec({
        dataset: { name: "mnist", trainSize: 500, valSize: 100 },
        model: { type: "cnn", hidden: [32], conv: [{ filters: 8, size: 5, pad: 2, pool: { size: 2, stride: 2 } }] },
        space: { "model.conv": { type: "choice", values: [[{ filters: 4, size: 3, pad: 1 }], [{ filters: 8, size: 5, stride: 1 }]] } },
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
  });

  it("GET /v1/searches/:id returns counts by status, per-round progress and the best trial", async () => {
    const { id } = (await post(validSpec({ name: "detail" }))).json();
    await t.db.rows.insertRound({ searchId: id, index: 0, space: validSpec().space, plannedTrials: 6 }); // the scheduler's
    const ids = await t.db.rows.seedTrials(id, [
      { status: "completed", valAccuracy: 0.6, rank: 2 },
      { status: "completed", valAccuracy: 0.9, rank: 1 },
      { status: "stopped", rank: 3 },
      { status: "running", epochs: 1 },
      { status: "queued" },
      { status: "queued" },
    ]);
    const res = await t.app.inject({ url: `/v1/searches/${id}` });
    expect(res.statusCode).toBe(200);
    const body = SearchDetail.parse(res.json());
    expect(body.counts).toEqual({ queued: 2, running: 1, completed: 2, stopped: 1, failed: 0, cancelled: 0, total: 6 });
    expect(body.rounds).toMatchObject([{ index: 0, trials: 6, finished: 3 }]);
    expect(body.best?.id).toBe(ids[1]);
    expect(body.best?.metrics?.valAccuracy).toBe(0.9);
  });

  it("best falls back to the best objective before ranking, and prefers the scheduler's bestTrialId", async () => {
    const { id } = (await post(validSpec({ name: "best", objective: { metric: "valAccuracy", goal: "minimize" } }))).json();
    const ids = await t.db.rows.seedTrials(id, [
      { status: "completed", valAccuracy: 0.5 },
      { status: "completed", valAccuracy: 0.2 },
      { status: "completed", valAccuracy: 0.7 },
    ]);
    expect((await t.app.inject({ url: `/v1/searches/${id}` })).json().best.id).toBe(ids[1]);
    await t.db.rows.updateSearch(id, { bestTrialId: ids[2] });
    expect((await t.app.inject({ url: `/v1/searches/${id}` })).json().best.id).toBe(ids[2]);
  });

  it("GET reports the budget (epochs run and saved, round epochs as each trial's budget) and search-level diagnostics", async () => {
    const { id, budget } = (await post(validSpec({ name: "budget", strategy: { type: "random", trials: 4, rounds: [{ epochs: 1 }, { epochs: 4 }] } }))).json();
    expect(budget).toEqual({ epochsRun: 0, epochsFullBudget: 0, savedByDivergence: 0, savedByPruning: 0 });
    const ids = await t.db.rows.seedTrials(id, [
      { status: "completed", valAccuracy: 0.5, epochs: 1 },
      { status: "completed", valAccuracy: 0.6, epochs: 1 },
      { status: "stopped", round: 1, epochs: 1 },
      { status: "stopped", round: 1, epochs: 2 },
      { status: "completed", round: 1, valAccuracy: 0.9, epochs: 4 },
      { status: "queued", round: 1 },
    ]);
    const diverged = ["loss exploded (1.1 → 9): learning rate likely too high"];
    await t.db.rows.updateTrials({ ids: [ids[2]!] }, { stopReason: "loss_exploded", diagnostics: diverged, params: { "training.learningRate": 0.8 } });
    await t.db.rows.updateTrials({ ids: [ids[3]!] }, { stopReason: "pruned", params: { "training.learningRate": 0.01 } });
    await t.db.rows.updateTrials({ ids: [ids[0]!, ids[1]!, ids[4]!] }, { params: { "training.learningRate": 0.01 } });
    const res = await t.app.inject({ url: `/v1/searches/${id}` });
    const body = SearchDetail.parse(res.json());
    expect(body.budget).toEqual({ epochsRun: 9, epochsFullBudget: 14, savedByDivergence: 3, savedByPruning: 2 });
    expect(Array.isArray(body.diagnostics)).toBe(true);
    // The summary is cached per trial version: a trial's next write shows in the next read.
    await t.db.rows.updateTrials({ ids: [ids[5]!] }, { status: "running", epochs: 1 });
    expect(SearchDetail.parse((await t.app.inject({ url: `/v1/searches/${id}` })).json()).budget.epochsRun).toBe(10);
  });

  it("the summary's trial read runs once per trial version, however many pollers read the detail", async () => {
    const { id } = (await post(validSpec({ name: "shared" }))).json();
    const [trialId] = await t.db.rows.seedTrials(id, [{ status: "completed", valAccuracy: 0.5, epochs: 1 }]);
    const real = t.db.db;
    let reads = 0;
    const app = await buildCheckedApp({ db: { ...real, searches: { ...real.searches, trialFacts: (sid: string) => (reads++, real.searches.trialFacts(sid)) } } });
    try {
      const poll = () => Promise.all(Array.from({ length: 10 }, () => app.inject({ url: `/v1/searches/${id}` })));
      expect((await poll()).map((r) => r.statusCode)).toEqual(Array(10).fill(200));
      expect(reads).toBe(1);
      await t.db.rows.updateSearch(id, { name: "renamed" }); // the search row, not its trials
      await poll();
      expect(reads).toBe(1);
      await t.db.rows.updateTrials({ ids: [trialId!] }, { epochs: 3 });
      const after = await poll();
      expect(reads).toBe(2);
      expect(after.every((r) => r.json().budget.epochsRun === 3)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it("GET /v1/searches pages newest first with no duplicates or gaps", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await post(validSpec({ name: `page-${i}` }))).json().id);
    const all = await t.db.rows.searches();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.app.inject({ url: `/v1/searches?limit=2${cursor ? `&cursor=${cursor}` : ""}` });
      expect(res.statusCode).toBe(200);
      const page = SearchPage.parse(res.json());
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen).toEqual(all.map((s) => s.id));
    expect(seen.slice(0, 5)).toEqual([...created].reverse());
  });

  it("cancel: queued trials become cancelled, running ones are left to their workers; repeat is a no-op", async () => {
    const { id } = (await post(validSpec({ name: "cancel-me" }))).json();
    await t.db.rows.seedTrials(id, [{ status: "queued" }, { status: "running", epochs: 1 }, { status: "completed", valAccuracy: 0.5 }]);
    const res = await t.app.inject({ method: "POST", url: `/v1/searches/${id}/cancel` });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id, status: "cancelled" });
    const trials = await t.db.rows.trials({ searchId: id });
    expect(trials.map((x) => [x.status, x.stopReason])).toEqual([
      ["cancelled", "cancelled"],
      ["running", null],
      ["completed", null],
    ]);
    const again = await t.app.inject({ method: "POST", url: `/v1/searches/${id}/cancel`, headers: { "content-type": "application/json" } });
    expect(again.statusCode).toBe(202);
    expect((await t.app.inject({ url: `/v1/searches/${id}` })).json().status).toBe("cancelled");
  });

  it("cancelling a completed search is a 409 and changes nothing", async () => {
    const { id } = (await post(validSpec({ name: "done" }))).json();
    await t.db.rows.updateSearch(id, { status: "completed" });
    const res = await t.app.inject({ method: "POST", url: `/v1/searches/${id}/cancel` });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe("conflict");
    expect((await t.db.rows.search(id)).status).toBe("completed");
  });

  it("unknown and malformed ids are 404 not_found", async () => {
    for (const url of [
      "/v1/searches/00000000-0000-4000-8000-000000000000",
      "/v1/searches/not-a-uuid",
      "/v1/searches/00000000-0000-4000-8000-000000000000/trials",
      "/v1/trials/00000000-0000-4000-8000-000000000000",
      "/v1/trials/123",
      "/v1/nothing-here",
    ]) {
      const res = await t.app.inject({ url });
      expect([url, res.statusCode, res.json().error]).toEqual([url, 404, "not_found"]);
    }
    const cancel = await t.app.inject({ method: "POST", url: "/v1/searches/00000000-0000-4000-8000-000000000000/cancel" });
    expect(cancel.statusCode).toBe(404);
  });

  it("GET /v1/searches/:id answers 304 to a matching If-None-Match and a new ETag after a change", async () => {
    const { id } = (await post(validSpec({ name: "etag" }))).json();
    const first = await t.app.inject({ url: `/v1/searches/${id}` });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    const again = await t.app.inject({ url: `/v1/searches/${id}`, headers: { "if-none-match": etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    await t.db.rows.seedTrials(id, [{ status: "queued" }]);
    const changed = await t.app.inject({ url: `/v1/searches/${id}`, headers: { "if-none-match": etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it("the ETag is the search's version: a trial's status change, a progress write and a search update each change it; a 304 reads only the version", async () => {
    const { id } = (await post(validSpec({ name: "version" }))).json();
    const [trialId] = await t.db.rows.seedTrials(id, [{ status: "queued" }]);
    const tags: string[] = [];
    const read = async () => {
      const res = await t.app.inject({ url: `/v1/searches/${id}` });
      tags.push(res.headers.etag as string);
      return res;
    };
    await read();
    await t.db.rows.updateTrials({ ids: [trialId!] }, { status: "running" });
    expect((await read()).json().counts).toMatchObject({ queued: 0, running: 1, total: 1 });
    await t.db.rows.updateTrials({ ids: [trialId!] }, { epochs: 4 });
    await read();
    await t.db.rows.updateSearch(id, { status: "running" });
    expect((await read()).json().status).toBe("running");
    expect(new Set(tags).size).toBe(4);

    // The 304 path does not build the detail: with the detail read failing, it still answers.
    const real = t.db.db;
    const app = await buildCheckedApp({ db: { ...real, searches: { ...real.searches, get: () => Promise.reject(new Error("detail read")) } } });
    try {
      const res = await app.inject({ url: `/v1/searches/${id}`, headers: { "if-none-match": `W/"0.0", ${tags[3]}` } });
      expect(res.statusCode).toBe(304);
      expect(res.headers.etag).toBe(tags[3]);
      expect((await app.inject({ url: `/v1/searches/${id}`, headers: { "if-none-match": tags[0]! } })).statusCode).toBe(500);
    } finally {
      await app.close();
    }
  });
});
