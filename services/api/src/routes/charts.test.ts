import { beforeAll, describe, expect, it } from "vitest";
import { ChartPoints, SearchAnalysis } from "@hps/contracts";
import { postSearch, useTestApi, validSpec } from "../test-kit.ts";

describe("chart routes", () => {
  const t = useTestApi();
  let searchId: string;
  let ids: string[];
  beforeAll(async () => {
    searchId = (await postSearch(t, validSpec())).json().id;
    ids = await t.db.rows.seedTrials(searchId, [
      { status: "completed", valAccuracy: 0.5 },
      { status: "completed", valAccuracy: 0.9 },
      { status: "stopped" },
      { status: "queued", round: 1 },
    ]);
    await t.db.rows.updateTrials({ ids: [ids[0]!] }, { params: { "training.learningRate": 0.01, "model.hidden": [32] }, objective: 0.5, finishedAt: new Date(2000) });
    await t.db.rows.updateTrials({ ids: [ids[1]!] }, { params: { "training.learningRate": 0.1, "model.hidden": [16] }, objective: 0.9, finishedAt: new Date(1000) });
    await t.db.rows.updateTrials({ ids: [ids[2]!] }, { params: { "training.learningRate": 0.5, "model.hidden": [16] }, stopReason: "loss_exploded", finishedAt: new Date(3000) });
    await t.db.rows.updateTrials({ ids: [ids[3]!] }, { params: {} });
  });

  it("points: one column entry per trial; its own ETag, 304 until a trial changes", async () => {
    const res = await t.app.inject({ url: `/v1/searches/${searchId}/points` });
    expect(res.statusCode, res.body).toBe(200);
    const p = ChartPoints.parse(res.json());
    expect(p.n).toBe(4);
    expect(p.value).toEqual([0.5, 0.9, null, null]);
    expect(p.finishOrder).toEqual([2, 1, 3, null]);
    expect(p.round).toEqual([0, 0, 0, 1]);
    expect(p.statuses[p.status[2]!]).toBe("stopped");
    expect(p.stopReasons[p.stopReason[2]!]).toBe("loss_exploded");
    const lr = p.params.find((c) => c.path === "training.learningRate")!;
    expect(lr).toMatchObject({ scale: "log", values: [0.01, 0.1, 0.5, null] });
    expect(p.params.find((c) => c.path === "model.hidden")!.values).toEqual([1, 0, 0, null]);

    const etag = res.headers.etag as string;
    expect((await t.app.inject({ url: `/v1/searches/${searchId}/points`, headers: { "if-none-match": etag } })).statusCode).toBe(304);
    await t.db.rows.updateTrials({ ids: [ids[3]!] }, { status: "running" });
    const after = await t.app.inject({ url: `/v1/searches/${searchId}/points`, headers: { "if-none-match": etag } });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(ChartPoints.parse(after.json()).statuses[after.json().status[3]]).toBe("running");
  });

  it("analysis: parallel coordinates and importance from the server; 404 for an unknown search", async () => {
    const res = await t.app.inject({ url: `/v1/searches/${searchId}/analysis` });
    expect(res.statusCode, res.body).toBe(200);
    const a = SearchAnalysis.parse(res.json());
    expect(a.parallel.axes.map((x) => x.name).sort()).toEqual(["model.hidden", "objective", "training.learningRate"]);
    expect(a.parallel.axes.at(-1)!.name).toBe("objective");
    expect(a.parallel.offAxis).toEqual([false, false, true]);
    expect(a.importance.trials).toBe(2);
    expect(a.importance.method).toMatch(/η²/);
    expect((await t.app.inject({ url: `/v1/searches/00000000-0000-4000-8000-000000000000/analysis` })).statusCode).toBe(404);
  });
});
