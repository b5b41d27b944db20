/**
 * A real network partition: worker "wp" runs in its own network namespace and reaches Postgres
 * and Redis only through a veth pair (netns.ts). Mid-trial its link is cut for longer than the
 * job lock (WORKER_LOCK_MS = 2 s): BullMQ's stalled check hands the job to the normal worker
 * "w1", which re-claims the trial (attempts + 1) and finishes it. Then the link comes back: wp's
 * late writes are fenced by its attempt (its log says superseded or lost), the trial has one
 * result and each epoch once, and wp — with w1 gone — finishes a later search's trial over the
 * same link. The timeline (cut, takeover, restore, fence, reconnection) is printed.
 * Skipped, with the reason printed, only where network namespaces cannot be made (not root).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetnsLink, netnsUnavailable, type NetnsLink } from "./netns.ts";
import { dumpLogs, finalSearch, http, startCluster, until, type Cluster, type Proc } from "./support.ts";

// wp is cut off after its first epochs are stored. Whether it is still training when the link
// comes back or finished during the cut, its next write after the restore is refused by the fence:
// a progress flush ("superseded") or its final write, which the worker retries past a connection
// outage (trial-handler FINAL_WRITE_RETRY_MS; "final write lost"). Before that retry, a run that
// finished inside the cut failed its final write on the network (EHOSTUNREACH, even after the
// restore) and was never fenced: CI saw it with 12 epochs and, on a fast machine, with 30.
const EPOCHS = 30;
const LOCK_MS = 2000;
const skipReason = netnsUnavailable();
if (skipReason) console.warn(`partition.test.ts skipped: ${skipReason}`);

/** The same URL with its host replaced (the namespace reaches the host only at `host`). */
function via(url: string, host: string): string {
  const u = new URL(url);
  u.hostname = host;
  return u.toString();
}

function portOf(url: string, fallback: number): number {
  const p = new URL(url).port;
  return p ? Number(p) : fallback;
}

describe("e2e: a worker cut off by a network partition", () => {
  let c: Cluster | undefined;
  let link: NetnsLink | undefined;
  beforeAll(async () => {
    if (skipReason) return;
    c = await startCluster({ workers: 0, lockMs: LOCK_MS });
    const pgPort = portOf(c.db.url, 5432);
    const redisPort = portOf(process.env.REDIS_URL!, 6379);
    link = await createNetnsLink([
      { port: pgPort, target: pgPort },
      { port: redisPort, target: redisPort },
    ]);
  }, 60_000);
  afterAll(async () => {
    // The link first: a failed assertion must not leave a namespace or a veth behind.
    await link?.destroy();
    await c?.stop();
  });

  it.skipIf(skipReason !== null)("the cut-off worker's trial is finished by another worker, its late writes are fenced, and it reconnects and finishes a later trial", async () => {
    const cl = c!;
    const ln = link!;
    const t0 = Date.now();
    const at = () => Date.now() - t0;
    const timeline: Record<string, number> = {};
    const wp = cl.spawnWorker("wp", {
      env: { DATABASE_URL: via(cl.db.url, ln.hostAddr), REDIS_URL: via(process.env.REDIS_URL!, ln.hostAddr) },
      wrap: ln.wrap,
    });
    let w1: Proc | undefined;
    try {
      await wp.waitFor(/worker started/);
      timeline.wpStarted = at();
      const created = await http(cl.base, "POST", "/v1/searches", {
        name: "e2e-partition",
        seed: 8,
        // Seconds of training, so the cut lands mid-curve and the re-run has most of it to do.
        dataset: { name: "mnist", trainSize: 3000, valSize: 300 },
        model: { hidden: [200] },
        training: { epochs: EPOCHS, batchSize: 32, optimizer: "sgd" },
        space: { "training.learningRate": { type: "uniform", low: 0.01, high: 0.05 } },
        strategy: { type: "random", trials: 1, parallelism: 1 },
      });
      expect(created.status).toBe(201);
      const searchId: string = created.body.id;

      // Only wp exists when the trial is enqueued, so wp claims it; w1 starts meanwhile and idles.
      const claimed = await until("wp to claim the trial", async () => (await cl.db.rows.trials({ searchId, status: "running" })).find((t) => t.workerId === "wp"), 60_000, 50);
      timeline.claimed = at();
      // w1 boots while wp trains; it must be up before the lock expires only to take over sooner.
      w1 = cl.spawnWorker("w1");
      await until("wp's first epochs stored", async () => ((await cl.db.rows.countCurve(claimed.id)) >= 1 ? true : undefined), 60_000, 50);

      ln.cut();
      timeline.cut = at();
      const atCut = await cl.db.rows.trial(claimed.id);
      expect(atCut).toMatchObject({ status: "running", workerId: "wp" });
      expect(atCut.epochs).toBeLessThan(EPOCHS);

      // Takeover: the lock expired (wp cannot renew it), the stalled check re-delivered the job to w1.
      const taken = await until("w1 to re-claim the trial", async () => {
        const t = await cl.db.rows.trial(claimed.id);
        return t.workerId === "w1" ? t : undefined;
      }, 30_000, 50);
      timeline.takeover = at();
      expect(taken.attempts).toBeGreaterThan(claimed.attempts);
      // Not before the lock could have expired: BullMQ renews it every LOCK_MS/2, so the last
      // renewal before the cut is at most LOCK_MS/2 old and the lock outlives the cut by ≥ LOCK_MS/2
      // (a CI run saw 1,902 ms: the bound of a full LOCK_MS assumed a renewal at the cut itself).
      expect(timeline.takeover - timeline.cut).toBeGreaterThanOrEqual(LOCK_MS / 2);

      ln.restore();
      timeline.restore = at();
      // wp's run goes on training offline; once back, its progress flush or final write is refused.
      const fenced = await wp.waitFor(new RegExp(`${claimed.id}.*(superseded|final write lost)`), 60_000);
      timeline.fenced = at();

      const search = await finalSearch(cl.base, searchId, 120_000);
      timeline.searchDone = at();
      expect(search.status).toBe("completed");
      expect(search.counts.total).toBe(1);
      const trial = await cl.db.rows.trial(claimed.id);
      expect(trial.workerId).toBe("w1");
      expect(["completed", "stopped"]).toContain(trial.status);
      // One result: exactly one run reached its final write, and it was w1's.
      const finished = [wp, w1].flatMap((w) => w.log.filter((l) => l.includes(claimed.id) && l.includes('"msg":"trial finished"')).map(() => w.name));
      expect(finished).toEqual(["worker w1"]);
      const curve = await cl.db.rows.curve(claimed.id);
      expect(curve.map((e) => e.epoch)).toEqual(Array.from({ length: trial.epochs }, (_, i) => i + 1));
      // The refused run is wp's own attempt, the one the re-claim superseded.
      expect(fenced).toContain(`"attempt":${claimed.attempts}`);

      // Reconnection: with w1 gone, only wp can run the next search's trial, over the restored link.
      w1.child.kill("SIGKILL");
      await w1.exited;
      const next = await http(cl.base, "POST", "/v1/searches", {
        name: "e2e-partition-after",
        seed: 9,
        dataset: { name: "mnist", trainSize: 500, valSize: 100 },
        model: { hidden: [16] },
        training: { epochs: 2, batchSize: 32, optimizer: "sgd" },
        space: { "training.learningRate": { type: "uniform", low: 0.01, high: 0.05 } },
        strategy: { type: "random", trials: 1, parallelism: 1 },
      });
      expect(next.status).toBe(201);
      const nextDone = await finalSearch(cl.base, next.body.id, 60_000);
      expect(nextDone.status).toBe("completed");
      const [later] = await cl.db.rows.trials({ searchId: next.body.id });
      expect(later.workerId).toBe("wp");
      await wp.waitFor(new RegExp(`${later.id}.*"msg":"trial finished"`), 10_000);
      timeline.reconnected = at();
      expect(wp.child.exitCode).toBeNull();

      const rel = (k: string) => `${k} +${((timeline[k] - timeline.cut) / 1000).toFixed(1)} s`;
      console.log(`partition timeline (relative to the cut; cut at ${(timeline.cut / 1000).toFixed(1)} s into the test): ${["wpStarted", "claimed", "cut", "takeover", "restore", "fenced", "searchDone", "reconnected"].map(rel).join(", ")}; wp's fenced run logged "${/"msg":"([^"]+)"/.exec(fenced)?.[1]}"`);
    } catch (err) {
      console.error(dumpLogs(cl.procs()));
      throw err;
    }
  }, 120_000);
});
