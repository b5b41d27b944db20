import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EpochMetrics } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { listenForWakeups } from "./wakeups.ts";
import { claimTrials, finishTrials, type TrialOutcome } from "./trial-runs-repo.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 8 });
});
afterAll(async () => {
  await db?.drop();
});

const config = { seed: 1, dataset: { name: "spiral" }, training: { epochs: 2 } };

async function seed(n: number, status: "running" | "cancelled" = "running"): Promise<{ searchId: string; trialIds: string[] }> {
  const search = await db.conn.prisma.search.create({ data: { name: "s", status, plannedTrials: n, spec: { objective: { metric: "valLoss", goal: "minimize" } } } });
  const trialIds: string[] = [];
  for (let index = 0; index < n; index++) {
    trialIds.push((await db.conn.prisma.trial.create({ data: { searchId: search.id, round: 0, index, params: {}, config } })).id);
  }
  return { searchId: search.id, trialIds };
}

const point = (epoch: number, v: number): EpochMetrics => ({ epoch, trainLoss: v, valLoss: v, trainAccuracy: 0.5, valAccuracy: 0.5 });
const outcome = (v: number, artifact?: number[]): TrialOutcome => ({
  status: "completed",
  stopReason: null,
  metrics: { initialLoss: 1.1, finalLoss: v, trainAccuracy: 0.5, valAccuracy: 0.5, valLoss: v, epochs: 2 },
  curve: [point(1, v + 1), point(2, v)],
  objective: v,
  diagnostics: [],
  ...(artifact ? { artifact: { format: "hpsm", data: new Uint8Array(artifact) } } : {}),
});

describe("batched claims and finishes", () => {
  it("a batch claims and finishes each row exactly as its own statement would (mixed outcomes, two searches, one wake-up each)", async () => {
    const a = await seed(3);
    const b = await seed(1);
    const cancelled = await seed(1, "cancelled");
    await db.conn.prisma.trial.update({ where: { id: a.trialIds[2]! }, data: { status: "completed" } });
    const missing = "00000000-0000-4000-8000-000000000000";
    const claims = await claimTrials(db.conn, [a.trialIds[0]!, a.trialIds[1]!, a.trialIds[2]!, b.trialIds[0]!, cancelled.trialIds[0]!, missing].map((trialId) => ({ trialId, workerId: "w" })));
    expect(claims.map((c) => (c.kind === "run" ? c.attempt : c.reason))).toEqual([1, 1, "final", 1, "cancelled", "missing"]);
    // a.trialIds[1] is re-claimed elsewhere: its first run is fenced out of the batch below.
    await claimTrials(db.conn, [{ trialId: a.trialIds[1]!, workerId: "other" }]);

    const hints: string[] = [];
    const listener = await listenForWakeups(db.url, (h) => hints.push(h));
    try {
      const won = await finishTrials(db.conn, [
        { trialId: a.trialIds[0]!, attempt: 1, outcome: outcome(0.1, [1, 2]) },
        { trialId: a.trialIds[1]!, attempt: 1, outcome: outcome(0.2, [3]) },
        { trialId: a.trialIds[2]!, attempt: 1, outcome: outcome(0.3) },
        { trialId: b.trialIds[0]!, attempt: 1, outcome: outcome(0.4, [5, 6, 7]) },
      ]);
      expect(won).toEqual([true, false, false, true]);
      await db.conn.prisma.$executeRaw`SELECT pg_notify('hps_scheduler_wake', 'end')`;
      for (let i = 0; i < 200 && !hints.includes("end"); i++) await new Promise((r) => setTimeout(r, 10));
      expect(hints.filter((h) => h !== "end" && h !== "").sort()).toEqual([a.searchId, b.searchId].sort());
    } finally {
      await listener.close();
    }
    const t0 = await db.rows.trial(a.trialIds[0]!);
    expect(t0).toMatchObject({ status: "completed", objective: 0.1, epochs: 2 });
    expect([...t0.artifact!.data]).toEqual([1, 2]);
    expect((await db.rows.trial(b.trialIds[0]!)).artifact!.data).toEqual(new Uint8Array([5, 6, 7]));
    expect(await db.rows.trial(a.trialIds[1]!)).toMatchObject({ status: "running", attempts: 2, artifact: null });
    const curve = await db.conn.prisma.epochMetric.findMany({ where: { trialId: b.trialIds[0]! }, orderBy: { epoch: "asc" } });
    expect(curve.map((p) => p.valLoss)).toEqual([1.4, 0.4]);
  });

  it("refuses a trial twice in one batch (the Batcher never sends that)", async () => {
    const s = await seed(1);
    await expect(claimTrials(db.conn, [{ trialId: s.trialIds[0]!, workerId: "a" }, { trialId: s.trialIds[0]!, workerId: "b" }])).rejects.toThrow(/twice/);
  });

  it("through db.runs, concurrent duplicate deliveries of many trials still give exactly one result each, and counts stay exact", async () => {
    const s = await seed(60);
    // Every trial delivered twice at once: both runs claim (the second claim fences the first) and both try to finish.
    const runs = s.trialIds.flatMap((id) => [id, id]).map(async (id, k) => {
      const c = await db.db.runs.claim(id, `w${k % 2}`);
      if (c.kind !== "run") return "skipped";
      return (await db.db.runs.finish(id, c.attempt, outcome(0.5))) ? "won" : "lost";
    });
    const results = await Promise.all(runs);
    expect(results.filter((r) => r === "won")).toHaveLength(60);
    const rows = await db.rows.trials({ searchId: s.searchId });
    expect(rows.every((t) => t.status === "completed")).toBe(true);
    const counts = await db.conn.prisma.trialCount.findUniqueOrThrow({ where: { searchId_round: { searchId: s.searchId, round: 0 } } });
    expect(counts).toMatchObject({ queued: 0, running: 0, completed: 60 });
  });

  it("a bad item fails alone: the rest of its batch is written", async () => {
    const s = await seed(4);
    const claims = await Promise.all(s.trialIds.map((id) => db.db.runs.claim(id, "w")));
    const bad = { ...outcome(0.5), status: "bogus" } as unknown as TrialOutcome;
    const results = await Promise.allSettled(s.trialIds.map((id, i) => db.db.runs.finish(id, (claims[i] as { attempt: number }).attempt, i === 2 ? bad : outcome(0.5))));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((await db.rows.trials({ searchId: s.searchId })).map((t) => t.status)).toEqual(["completed", "completed", "running", "completed"]);
  });
});
