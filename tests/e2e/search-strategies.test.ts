/**
 * Issue 7 end to end, on real Postgres and Redis with a scheduler and two worker processes:
 * an ASHA search (pruned trials stop at a rung and rank after the fully trained ones), a TPE
 * search whose scheduler is SIGKILLed and restarted mid-search (exactly the planned trials, none
 * re-planned), and the edit-round endpoint (the user's round runs; bad input stores nothing; a
 * cancelled search refuses; a completed one runs again). Spiral data and tiny nets keep it short.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allTrials, dumpLogs, finalSearch, http, ROOT, startCluster, until, type Cluster } from "./support.ts";

const base = {
  seed: 5,
  dataset: { name: "spiral", trainSize: 240, valSize: 60 },
  model: { type: "mlp", hidden: [12], activation: "relu" },
  training: { epochs: 1, batchSize: 30, optimizer: "momentum", learningRate: 0.1 },
  space: { "training.learningRate": { type: "loguniform", low: 0.0005, high: 0.5 } },
};

describe("e2e: pruning, TPE across a scheduler crash, and user-edited rounds", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ workers: 2, pollMs: 300 });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });

  /** Runs `fn`; on failure prints the processes' last lines. */
  async function withLogs(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      console.error(dumpLogs(c.procs()));
      throw err;
    }
  }

  it("ASHA: pruned trials stop at a rung (stopped, pruned, curve up to it), the best trained every epoch, pruned ones rank after full ones", () =>
    withLogs(async () => {
      const spec = {
        ...base,
        name: "e2e-asha",
        training: { ...base.training, epochs: 9 },
        strategy: { type: "random", trials: 12, parallelism: 2, pruner: { type: "asha", minEpochs: 1, reductionFactor: 3 } },
      };
      const created = await http(c.base, "POST", "/v1/searches", spec);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const search = await finalSearch(c.base, created.body.id, 150_000);
      expect(search.status).toBe("completed");
      const trials = await allTrials(c.base, search.id, "rank");
      expect(trials.length).toBe(12);
      const pruned = trials.filter((t) => t.stopReason === "pruned");
      expect(pruned.length).toBeGreaterThan(0);
      for (const t of pruned) {
        expect(t.status).toBe("stopped");
        expect([1, 3]).toContain(t.metrics.epochs); // rungs at 1·3^k below the round's 9 epochs
        const { body } = await http(c.base, "GET", `/v1/trials/${t.id}`);
        expect(body.curve.map((p: { epoch: number }) => p.epoch)).toEqual(Array.from({ length: t.metrics.epochs }, (_, i) => i + 1));
      }
      expect(search.best.id).toBe(trials[0].id);
      expect(search.best.metrics.epochs).toBe(9);
      const completed = trials.filter((t) => t.status === "completed");
      expect(completed.every((t) => t.metrics.epochs === 9)).toBe(true);
      expect(Math.max(...completed.map((t) => t.rank))).toBeLessThan(Math.min(...pruned.map((t) => t.rank)));
      expect(search.budget.savedByPruning).toBeGreaterThan(0);
    }), 200_000);

  it("TPE with the scheduler SIGKILLed and restarted mid-search: exactly the planned trials, none re-planned", () =>
    withLogs(async () => {
      const spec = {
        ...base,
        name: "e2e-tpe-restart",
        training: { ...base.training, epochs: 2 },
        space: { ...base.space, "training.momentum": { type: "uniform", low: 0.5, high: 0.95 } },
        strategy: { type: "tpe", trials: 10, startupTrials: 3, parallelism: 2 },
      };
      const created = await http(c.base, "POST", "/v1/searches", spec);
      expect(created.status).toBe(201);
      const searchId: string = created.body.id;
      // Past TPE's startup trials, so the trials planned after the restart are model-based.
      await until("4 final trials", async () => ((await c.db.rows.countTrials({ searchId, status: ["completed", "stopped", "failed"] })) >= 4 ? true : undefined), 90_000, 50);
      c.scheduler.child.kill("SIGKILL");
      await c.scheduler.exited;
      const before = await c.db.rows.trials({ searchId });
      expect(before.length).toBeLessThan(10); // really mid-search
      const restarted = c.spawnScheduler();
      c.scheduler = restarted;
      await restarted.waitFor(/scheduler started/);
      const search = await finalSearch(c.base, searchId, 150_000);
      expect(search.status).toBe("completed");
      const after = await c.db.rows.trials({ searchId });
      expect(after.length).toBe(10);
      expect((await c.db.rows.search(searchId)).plannedTrials).toBe(10);
      expect(new Set(after.map((t) => `${t.round}/${t.index}`)).size).toBe(10);
      // Every trial inserted before the kill is the same row with the same params.
      const byId = new Map(after.map((t) => [t.id, t]));
      for (const t of before) expect(byId.get(t.id)?.params).toEqual(t.params);
    }), 200_000);

  it("edit-round endpoint: the user's round runs (reason: edited by the user); bad input stores nothing; 409 when cancelled; a completed search runs again", () =>
    withLogs(async () => {
      const spec = { ...base, name: "e2e-edit", strategy: { type: "random", trials: 4, parallelism: 2 } };
      const created = await http(c.base, "POST", "/v1/searches", spec);
      expect(created.status).toBe(201);
      const id: string = created.body.id;
      const narrow = { type: "loguniform", low: 0.05, high: 0.2 };

      // Bad input: 400/422 with the body's paths, nothing stored.
      const bad: Array<[unknown, number, string]> = [
        [{ epochs: -1 }, 400, "epochs"],
        [{ space: { "training.learningRat": narrow } }, 400, "space.training.learningRat"],
        [{ space: { "model.type": { type: "choice", values: ["mlp", "cnn"] } } }, 422, "space.model.type.values.1"], // a cnn needs image input
      ];
      for (const [body, status, path] of bad) {
        const r = await http(c.base, "POST", `/v1/searches/${id}/rounds`, body);
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        expect(r.body.issues.map((i: { path: string }) => i.path)).toContain(path);
      }
      expect(await c.db.rows.roundEdits(id)).toEqual([]);

      const edited = await http(c.base, "POST", `/v1/searches/${id}/rounds`, { space: { "training.learningRate": narrow }, trials: 2, epochs: 2 });
      expect(edited.status, JSON.stringify(edited.body)).toBe(201);
      expect(edited.body).toMatchObject({ index: 1, trials: 2, epochs: 2 });
      let search = await finalSearch(c.base, id, 120_000);
      expect(search.status).toBe("completed");
      expect(search.rounds.map((r: { index: number; trials: number }) => [r.index, r.trials])).toEqual([[0, 4], [1, 2]]);
      expect(search.rounds[1].space).toEqual({ "training.learningRate": narrow });
      expect(search.rounds[1].narrowing["training.learningRate"]).toBe("edited by the user");
      const round1 = (await allTrials(c.base, id, "created")).filter((t) => t.round === 1);
      expect(round1.length).toBe(2);
      for (const t of round1) {
        expect(t.params["training.learningRate"]).toBeGreaterThanOrEqual(0.05);
        expect(t.params["training.learningRate"]).toBeLessThanOrEqual(0.2);
      }

      // A completed search runs again after a new, longer round, and is re-ranked: its best is now from it.
      // (through the CLI: `hps rounds add`, over @hps/client)
      const cli = await promisify(execFile)(process.execPath, [join(ROOT, "packages/cli/bin/hps.mjs"), "rounds", "add", id, "--trials", "2", "--epochs", "4"], { cwd: ROOT, env: { ...process.env, HPS_URL: c.base } });
      expect(cli.stdout.trim()).toBe(`round 2 of search ${id}: 2 trials × 4 epochs; search running`);
      // (The API set it running in the edit's transaction; the 2 short trials may be done already.)
      search = await finalSearch(c.base, id, 120_000);
      expect(search.status).toBe("completed");
      expect(search.counts.total).toBe(8);
      expect(search.best.round).toBe(2);
      const ranked = await allTrials(c.base, id, "rank");
      expect(ranked.map((t) => t.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

      // A cancelled search takes no round.
      const other = await http(c.base, "POST", "/v1/searches", { ...spec, name: "e2e-edit-cancelled" });
      expect((await http(c.base, "POST", `/v1/searches/${other.body.id}/cancel`)).status).toBe(202);
      const refused = await http(c.base, "POST", `/v1/searches/${other.body.id}/rounds`, { trials: 2 });
      expect(refused.status).toBe(409);
      expect(await c.db.rows.roundEdits(other.body.id)).toEqual([]);
    }), 300_000);
});
