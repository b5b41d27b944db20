import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { appendRoundEdit } from "./rounds-repo.ts";
import { claimTrial } from "./trial-claim.ts";
import { getSearchDetail } from "./searches-repo.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const asha = { type: "asha", minEpochs: 1, reductionFactor: 3 };
const round = (pruner: object | null) => ({ space: {}, trials: 1, epochs: 2, pruner: pruner as never, reasons: { space: "edited by the user: no dimensions" } });

describe("round edits", () => {
  it("a trial of a user's round is claimed with that round's pruner (null: none); other rounds with the spec's", async () => {
    const searchId = await db.rows.insertSearch({ status: "running", spec: { objective: {}, strategy: { pruner: asha } } as never });
    await db.rows.insertRound({ searchId, index: 0, space: {}, plannedTrials: 1 });
    await appendRoundEdit(db.conn, searchId, () => round(null));
    await appendRoundEdit(db.conn, searchId, () => round({ type: "median", warmupEpochs: 0, minTrials: 2 }));
    const claim = async (r: number) => {
      const id = await db.rows.insertTrial({ searchId, round: r, index: 0, config: {} });
      const c = await claimTrial(db.conn, id, "w");
      return c.kind === "run" ? c.pruner : "skipped";
    };
    expect(await claim(0)).toEqual(asha);
    expect(await claim(1)).toBeNull();
    expect(await claim(2)).toEqual({ type: "median", warmupEpochs: 0, minTrials: 2 });
  });

  it("the search's detail carries each round's edit (epochs, pruner; null where the round is automatic)", async () => {
    const searchId = await db.rows.insertSearch({ status: "running", spec: { objective: {}, strategy: { pruner: asha } } as never });
    await db.rows.insertRound({ searchId, index: 0, space: {}, plannedTrials: 1 });
    await appendRoundEdit(db.conn, searchId, () => ({ ...round(null), epochs: 5 }));
    await db.rows.insertRound({ searchId, index: 1, space: {}, plannedTrials: 1 }); // the scheduler starts the edited round
    const detail = await getSearchDetail(db.conn, searchId);
    expect(detail?.rounds.map((r) => [r.index, r.edit])).toEqual([[0, null], [1, { epochs: 5, pruner: null }]]);
  });

  it("a failing resolve stores nothing and leaves the search as it was", async () => {
    const searchId = await db.rows.insertSearch({ status: "completed", spec: { space: {} } as never });
    await expect(appendRoundEdit(db.conn, searchId, () => { throw new Error("bad"); })).rejects.toThrow("bad");
    expect(await db.rows.roundEdits(searchId)).toEqual([]);
    expect((await db.rows.search(searchId)).status).toBe("completed");
  });
});
