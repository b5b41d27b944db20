import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppendedRound } from "@hps/contracts";
import { createTestApi, validSpec, type TestApi } from "../test-kit.ts";

describe("POST /v1/searches/:id/rounds", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ trialMemoryBytes: 256 * 2 ** 20 });
  });
  afterAll(async () => {
    await t.close();
  });

  const submit = async (overrides: Record<string, unknown> = {}) => {
    const res = await t.app.inject({ method: "POST", url: "/v1/searches", payload: validSpec(overrides) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const edit = (id: string, payload: unknown) => t.app.inject({ method: "POST", url: `/v1/searches/${id}/rounds`, payload: payload as object });
  const lr = { type: "loguniform", low: 0.01, high: 0.3 };

  it("appends the user's round after the current one: the previous space with the given dimensions written over, defaults resolved, reasons saying the user edited it", async () => {
    const id = await submit();
    const res = await edit(id, { space: { "training.learningRate": lr }, trials: 3, epochs: 4 });
    expect(res.statusCode, res.body).toBe(201);
    const body = AppendedRound.parse(res.json());
    expect(body).toEqual({
      searchId: id,
      searchStatus: "queued",
      index: 1, // a queued search's round 0 is the spec's
      space: { "training.learningRate": lr, "model.hidden": validSpec().space!["model.hidden" as never] },
      trials: 3,
      epochs: 4,
      pruner: null,
      reasons: {
        "training.learningRate": "edited by the user",
        "model.hidden": "edited by the user: kept as in round 0 (a round the user appended is not narrowed)",
      },
    });
    // The next edit goes after it, from its space; defaults are the strategy's and training.epochs.
    const second = AppendedRound.parse((await edit(id, { space: { "model.hidden": { type: "choice", values: [[8]] } } })).json());
    expect(second).toMatchObject({ index: 2, trials: 6, epochs: 2, space: { "training.learningRate": lr, "model.hidden": { type: "choice", values: [[8]] } } });
    expect((await t.db.rows.roundEdits(id)).map((e) => e.index)).toEqual([1, 2]);
    expect((await t.db.rows.search(id)).status).toBe("queued");
  });

  it("after the current round of a running search; the pruner is the strategy's unless the body says (null: none)", async () => {
    const id = await submit({ strategy: { type: "tpe", trials: 6, parallelism: 2, pruner: { type: "asha", minEpochs: 1, reductionFactor: 3 } } });
    await t.db.rows.updateSearch(id, { status: "running" });
    await t.db.rows.insertRound({ searchId: id, index: 0, space: validSpec().space, plannedTrials: 6 });
    await t.db.rows.insertRound({ searchId: id, index: 1, space: validSpec().space, plannedTrials: 6 });
    const a = AppendedRound.parse((await edit(id, {})).json());
    expect(a).toMatchObject({ index: 2, searchStatus: "running", pruner: { type: "asha", minEpochs: 1, reductionFactor: 3 } });
    const b = AppendedRound.parse((await edit(id, { pruner: null })).json());
    expect(b).toMatchObject({ index: 3, pruner: null });
  });

  it("two edits at once are both appended, one after the other", async () => {
    const id = await submit();
    const results = await Promise.all([1, 2, 3].map((n) => edit(id, { trials: n })));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    const stored = await t.db.rows.roundEdits(id);
    expect(stored.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(stored.map((e) => e.trials).sort()).toEqual([1, 2, 3]);
  });

  it("a completed search runs again: running, finishedAt cleared", async () => {
    const id = await submit();
    await t.db.rows.insertRound({ searchId: id, index: 0, space: validSpec().space, plannedTrials: 6 });
    await t.db.rows.updateSearch(id, { status: "completed", finishedAt: new Date() });
    const res = await edit(id, { epochs: 3 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ index: 1, searchStatus: "running" });
    expect(await t.db.rows.search(id)).toMatchObject({ status: "running", finishedAt: null });
  });

  it("409 on a cancelled or failed search, 404 on an unknown one; nothing stored", async () => {
    for (const status of ["cancelled", "failed"] as const) {
      const id = await submit();
      await t.db.rows.updateSearch(id, { status });
      const res = await edit(id, { trials: 2 });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ error: "conflict" });
      expect(await t.db.rows.roundEdits(id)).toEqual([]);
      expect((await t.db.rows.search(id)).status).toBe(status);
    }
    expect((await edit("00000000-0000-4000-8000-000000000000", {})).statusCode).toBe(404);
  });

  it("bad input: 400 with the body's paths for shape, 422 for infeasible rounds; nothing stored", async () => {
    const id = await submit();
    const grid = await submit({ space: { "training.learningRate": { type: "choice", values: [0.1, 0.2] } }, strategy: { type: "grid" } });
    const cases: Array<[string, unknown, number, string[]]> = [
      [id, { trails: 3 }, 400, ["trails"]],
      [id, { epochs: 0 }, 400, ["epochs"]],
      [id, { trials: 1.5 }, 400, ["trials"]],
      [id, { space: { "training.nope": lr } }, 400, ["space.training.nope"]],
      [id, { space: { "training.learningRate": { type: "uniform", low: -1, high: 0.5 } } }, 400, ["space.training.learningRate.low"]],
      [id, { pruner: { type: "asha", reductionFactor: 1 } }, 400, ["pruner.reductionFactor"]],
      [grid, { trials: 3 }, 400, ["trials"]],
      // Each architecture the space can produce must be buildable, and fit the memory budget.
      [id, { space: { "model.hidden": { type: "choice", values: [[16], [4096, 4096, 4096, 4096]] } } }, 422, ["space.model.hidden"]],
      [grid, { space: { "training.l2": { type: "choice", values: Array.from({ length: 400 }, (_, i) => i / 1000) }, "training.momentum": { type: "choice", values: Array.from({ length: 400 }, (_, i) => i / 1000) } } }, 422, ["space"]],
    ];
    for (const [search, body, status, paths] of cases) {
      const res = await edit(search, body);
      expect(res.statusCode, `${JSON.stringify(body)} → ${res.body}`).toBe(status);
      const issues = (res.json() as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
      for (const p of paths) expect(issues.some((i) => i === p || i.startsWith(`${p}.`)), `${p} in ${issues.join(", ")}`).toBe(true);
    }
    expect(await t.db.rows.roundEdits(id)).toEqual([]);
    expect(await t.db.rows.roundEdits(grid)).toEqual([]);
  });
});
