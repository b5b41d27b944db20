import { describe, expect, it } from "vitest";
import { postSearch, useTestApi, validSpec } from "../test-kit.ts";

describe("DELETE /v1/searches/:id", () => {
  const t = useTestApi();

  async function searchWithRows(status: "queued" | "running" | "completed"): Promise<{ id: string; trials: string[] }> {
    const { id } = (await t.app.inject({ method: "POST", url: "/v1/searches", payload: validSpec() as object })).json();
    await t.db.rows.insertRound({ searchId: id, index: 0, space: {}, plannedTrials: 2 });
    const trials = await t.db.rows.seedTrials(id, [{ status: "completed", valAccuracy: 0.5 }, { status: "running", epochs: 1 }]);
    await t.db.rows.insertEpoch({ trialId: trials[0]!, epoch: 1, trainLoss: 1, valLoss: 1, trainAccuracy: 0.5, valAccuracy: 0.5 });
    await t.db.rows.insertArtifact(trials[0]!, new Uint8Array([1, 2, 3]));
    await t.db.rows.updateSearch(id, { status });
    return { id, trials };
  }
  const del = (id: string, q = "") => t.app.inject({ method: "DELETE", url: `/v1/searches/${id}${q}` });

  it("refuses a live search (409) and changes nothing; deletes it with ?force=true", async () => {
    const { id, trials } = await searchWithRows("running");
    const before = await t.db.rows.counts();
    const res = await del(id);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe("conflict");
    expect(await t.db.rows.counts()).toEqual(before);
    expect((await del(id, "?force=true")).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/v1/searches/${id}` })).statusCode).toBe(404);
    expect(await t.db.rows.countTrials({ ids: trials })).toBe(0);
    expect(await t.db.rows.countCurve(trials[0]!)).toBe(0);
    expect(await t.db.rows.countArtifacts(id)).toBe(0);
  });

  it("deletes a finished search with its trials, curves and models; a second delete is a 404", async () => {
    const { id, trials } = await searchWithRows("completed");
    const other = await searchWithRows("completed");
    expect((await del(id)).statusCode).toBe(204);
    expect(await t.db.rows.countTrials({ searchId: id })).toBe(0);
    expect(await t.db.rows.countCurve(trials[0]!)).toBe(0);
    expect((await del(id)).statusCode).toBe(404);
    expect(await t.db.rows.countTrials({ searchId: other.id })).toBe(2); // only that search
    expect(await t.db.rows.countArtifacts(other.id)).toBe(1);
  });

  it("rejects a bad force value with its path", async () => {
    const { id } = await searchWithRows("completed");
    const res = await del(id, "?force=yes");
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe("force");
  });
});
