/**
 * The real hps the search benchmark drives: API (HTTP on a free port), scheduler and `workers`
 * workers (each startWorker with one training thread) in this process, composed like
 * scripts/start.ts. DATABASE_URL set → a fresh database on that server (dropped by close());
 * unset → embedded Postgres in a temporary folder. REDIS_URL set → BullMQ under a fresh prefix
 * (deleted by close()); unset → the in-process queue (then one worker with `workers` threads,
 * since that queue has a single consumer).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startApi } from "@hps/api";
import { createDb, migrate, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@hps/db";
import { BullConsumer, BullDispatcher, deleteQueueKeys, InProcessQueue, type TrialDispatcher } from "@hps/queue";
import { startScheduler } from "@hps/scheduler";
import { startWorker, type RunningWorker } from "@hps/worker";

export interface Stack {
  /** The API's base URL. */
  url: string;
  /** "Postgres + BullMQ, 2 workers" etc. */
  mode: string;
  close(): Promise<void>;
}

const quiet = { debug() {}, info() {}, warn: (o: object, m?: string) => console.error(`warn: ${m}`, JSON.stringify(o)), error: (o: object, m?: string) => console.error(`error: ${m}`, o), child: () => quiet };

async function admin(base: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function startStack(opts: { workers: number; env?: NodeJS.ProcessEnv }): Promise<Stack> {
  const env = opts.env ?? process.env;
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => console.error("bench stack: close step failed", err));
  };
  try {
    let url: string;
    if (env.DATABASE_URL) {
      const name = `hps_bench_search_${randomBytes(5).toString("hex")}`;
      await admin(env.DATABASE_URL, `CREATE DATABASE "${name}"`);
      closers.push(() => admin(env.DATABASE_URL!, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      const u = new URL(env.DATABASE_URL);
      u.pathname = `/${name}`;
      url = u.toString();
    } else {
      const dir = mkdtempSync(join(tmpdir(), "hps-bench-search-"));
      chmodSync(dir, 0o755); // embedded Postgres runs as the OS user postgres when we are root
      closers.push(async () => rmSync(dir, { recursive: true, force: true }));
      const embedded: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: 54000 + Math.floor(Math.random() * 1000) });
      closers.push(() => embedded.stop());
      url = embedded.url;
    }
    await migrate(url);
    const db = createDb({ url, poolSize: 10 + opts.workers });
    closers.push(() => db.close());

    let dispatcher: TrialDispatcher;
    const workers: RunningWorker[] = [];
    if (env.REDIS_URL) {
      const prefix = `hps-bench-search-${randomBytes(5).toString("hex")}`;
      closers.push(() => deleteQueueKeys(env.REDIS_URL!, prefix));
      dispatcher = new BullDispatcher({ redisUrl: env.REDIS_URL, prefix });
      closers.push(() => dispatcher.close());
      for (let i = 0; i < opts.workers; i++) {
        const consumer = new BullConsumer({ redisUrl: env.REDIS_URL, prefix, concurrency: 1, onError: (err) => console.error(`queue error: ${err.message}`) });
        workers.push(startWorker({ db, consumer, concurrency: 1, workerId: `bench-worker-${i + 1}`, logger: quiet }));
      }
    } else {
      const q = new InProcessQueue({ concurrency: opts.workers });
      dispatcher = q;
      workers.push(startWorker({ db, consumer: q, concurrency: opts.workers, workerId: "bench-worker", logger: quiet }));
    }
    closers.push(() => Promise.all(workers.map((w) => w.close({ timeoutMs: 2000 }))));
    const scheduler = await startScheduler({ db, dispatcher, logger: quiet, pollMs: 1000 });
    closers.push(() => scheduler.close());
    const api = await startApi({ databaseUrl: url, db, queue: dispatcher, migrate: false, port: 0, host: "127.0.0.1", logLevel: "warn" });
    closers.push(() => api.close());
    const mode = `${env.DATABASE_URL ? "Postgres" : "embedded Postgres"} + ${env.REDIS_URL ? `BullMQ, ${opts.workers} workers` : `in-process queue, ${opts.workers} threads`}`;
    return { url: api.url, mode, close };
  } catch (err) {
    await close();
    throw err;
  }
}
