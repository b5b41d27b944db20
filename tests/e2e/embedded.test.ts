/**
 * `pnpm start` without DATABASE_URL and REDIS_URL: embedded Postgres under HPS_DATA_DIR and
 * the in-process queue, all in one process. A search runs to completion over HTTP; SIGTERM
 * shuts everything down cleanly, the embedded Postgres included.
 */
import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dumpLogs, envWithout, finalSearch, freePort, http, killAll, portOpen, spawnTs, type Proc } from "./support.ts";

describe("e2e: embedded mode (pnpm start)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "hps-e2e-embedded-"));
  chmodSync(dataDir, 0o755); // the embedded postgres runs as another OS user when we are root
  let proc: Proc | undefined;

  afterAll(async () => {
    await killAll();
    // If start.ts died without stopping it, stop the postgres it left behind.
    const pidFile = join(dataDir, "postgres", "postmaster.pid");
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
      try { process.kill(pid, "SIGINT"); } catch { /* gone */ }
      for (let i = 0; i < 50 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs a search end to end and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const pgPort = await freePort();
    proc = spawnTs("pnpm start", "scripts/start.ts", {
      ...envWithout("DATABASE_URL", "REDIS_URL", "HPS_QUEUE_PREFIX"),
      HPS_DATA_DIR: dataDir,
      PORT: String(port),
      HPS_PG_PORT: String(pgPort),
      WORKER_CONCURRENCY: "1",
      LOG_LEVEL: "info",
    });
    try {
      const line = await proc.waitFor(/hps listening on/, 90_000);
      expect(line).toContain(`http://localhost:${port}`);
      expect(line).toContain("in-process queue");
      const base = `http://127.0.0.1:${port}`;
      const created = await http(base, "POST", "/v1/searches", {
        name: "e2e-embedded",
        seed: 1,
        dataset: { name: "spiral", trainSize: 150, valSize: 60 },
        training: { epochs: 3 },
        space: { "training.learningRate": { type: "loguniform", low: 0.01, high: 1 } },
        strategy: { type: "random", trials: 4, parallelism: 2 },
      });
      expect(created.status).toBe(201);
      const search = await finalSearch(base, created.body.id, 90_000);
      expect(search.status).toBe("completed");
      expect(search.counts.total).toBe(4);
      expect(search.counts.queued + search.counts.running).toBe(0);
      expect(search.best).not.toBeNull();
      expect(existsSync(join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
      expect(await portOpen(pgPort)).toBe(true);

      proc.child.kill("SIGTERM");
      const exit = await proc.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(existsSync(join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
      expect(await portOpen(pgPort)).toBe(false);
    } catch (err) {
      console.error(dumpLogs([proc]));
      throw err;
    }
  }, 180_000);
});
