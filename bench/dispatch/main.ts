/**
 * `pnpm bench:dispatch [--json] [--trials 2000] [--workers 4] [--concurrency 64] [--parallelism 256]
 *                      [--searches 2] [--optuna random|tpe|both|none]`
 *
 * Dispatch throughput of no-op trials through the real path: POST /v1/searches (the API's
 * Fastify app, in this process) → Postgres → the real scheduler (startScheduler, in this
 * process) → BullMQ → `--workers` worker PROCESSES (startWorker with a no-op trainer) →
 * Postgres. Reported: trials/s from the POST to the search being `completed` (workers are
 * up before the clock starts), for each of `--searches` searches run one after another on the
 * same processes: the first (headline) on fresh ones, which plan, compile Prisma's queries and
 * JIT the hot paths on it; the last on processes that have done so, as a deployment's are.
 *
 * Beside it, the anchor: Optuna 3.1 (Debian's python3-optuna, /usr/bin/python3) with
 * RDBStorage on the same Postgres (a fresh database), `--workers` processes doing ask/tell of
 * the same number of no-op trials on one study: with RandomSampler (like-for-like with a
 * random search; the headline ratio) and with Optuna's default TPESampler (ENVIRONMENT.md's
 * anchor, 28.9 trials/s on this machine kind). Default: both. Anchor install (Debian):
 * `apt-get install -y python3-optuna python3-psycopg2`; run with /usr/bin/python3.
 *
 * HPS_BENCH_PROFILE=1 adds a CPU breakdown (this process, the bench database's Postgres
 * backends, redis-server, each worker), queue depth, scheduler passes and the run's phases
 * (from the trials' timestamps);
 * HPS_BENCH_CPU_PROF=<dir> writes V8 CPU profiles of the worker processes;
 * HPS_BENCH_WORKER=<script> runs another worker script in place of noop-worker.ts.
 *
 * Uses DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432/postgres) and
 * REDIS_URL (default redis://127.0.0.1:6379); every database and queue prefix it creates is
 * dropped at the end.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { buildApp } from "@hps/api";
import { createDb, migrate } from "@hps/db";
import { inspectDatabase } from "@hps/db/test-kit";
import { BullDispatcher, deleteQueueKeys } from "@hps/queue";
import { startScheduler } from "@hps/scheduler";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    trials: { type: "string", default: "2000" },
    workers: { type: "string", default: "4" },
    concurrency: { type: "string", default: "64" },
    parallelism: { type: "string", default: "256" },
    optuna: { type: "string", default: "both" },
    searches: { type: "string", default: "2" },
  },
});
const TRIALS = Number(args.trials);
const WORKERS = Number(args.workers);
const CONCURRENCY = Number(args.concurrency);
const PARALLELISM = Number(args.parallelism);
const SEARCHES = Number(args.searches);
if (!(Number.isInteger(SEARCHES) && SEARCHES >= 1)) throw new Error(`--searches must be an integer ≥ 1 (got ${args.searches})`);
const BASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const log = (msg: string) => { if (!args.json) console.error(msg); };

function dbUrl(name: string, protocol = "postgresql:"): string {
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return u.toString().replace(/^postgres(ql)?:/, protocol);
}

/** Spawned worker processes, killed on any exit path (including Ctrl-C). */
const children = new Set<ReturnType<typeof spawn>>();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    for (const c of children) c.kill("SIGKILL");
    process.exit(130);
  });
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

/** Busy and total jiffies of all cores (/proc/stat), for HPS_BENCH_PROFILE. */
function machineCpu(): { busy: number; total: number } {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3]! - (f[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU jiffies so far of the Postgres backends serving database `name`, and of redis-server (HPS_BENCH_PROFILE). */
async function serverCpu(name: string): Promise<{ postgres: number; redis: number }> {
  const jiffies = (pid: number) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  const { rows } = await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [name]);
  await c.end();
  const redisPid = Number(spawnSync("pidof", ["redis-server"], { encoding: "utf8" }).stdout.trim().split(" ")[0] || 0);
  return { postgres: rows.reduce((a, r) => a + jiffies(r.pid), 0), redis: redisPid ? jiffies(redisPid) : 0 };
}

interface HpsFigures { trials: number; seconds: number; trialsPerSecond: number; workers: number; concurrency: number; parallelism: number }

async function benchHps(): Promise<HpsFigures[]> {
  const name = `hps_bench_${randomBytes(5).toString("hex")}`;
  const prefix = `hps-bench-${randomBytes(5).toString("hex")}`;
  const url = dbUrl(name);
  await admin(`CREATE DATABASE "${name}"`);
  const db = createDb({ url, poolSize: 10 });
  let inspect: ReturnType<typeof inspectDatabase> | undefined;
  const dispatcher = new BullDispatcher({ redisUrl: REDIS_URL, prefix });
  let scheduler: Awaited<ReturnType<typeof startScheduler>> | undefined;
  try {
    await migrate(url);
    inspect = inspectDatabase(url);
    const { rows } = inspect;
    // Worker processes first; the clock starts once all of them are consuming.
    const ready = Array.from({ length: WORKERS }, (_, i) => {
      const prof = process.env.HPS_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.HPS_BENCH_CPU_PROF}`] : [];
      const child = spawn(process.execPath, [...prof, "--import", "tsx", process.env.HPS_BENCH_WORKER ?? "bench/dispatch/noop-worker.ts"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: url, REDIS_URL, HPS_QUEUE_PREFIX: prefix, WORKER_CONCURRENCY: String(CONCURRENCY), HPS_WORKER_ID: `bench-${i + 1}` },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.add(child);
      child.once("exit", () => children.delete(child));
      return new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (b: Buffer) => { if (b.toString().includes("ready")) resolve(); });
        child.once("exit", (code) => reject(new Error(`bench worker ${i + 1} exited (${code}) before it was ready`)));
      });
    });
    await Promise.all(ready);
    const quiet = {
      debug() {},
      info: (o: object, m?: string) => { if (process.env.HPS_BENCH_PROFILE) console.error(m, JSON.stringify(o)); },
      warn() {},
      error: (o: object, m?: string) => console.error(m, o),
    };
    scheduler = await startScheduler({
      db, dispatcher, logger: quiet, pollMs: 1000,
      ...(process.env.HPS_BENCH_PASS_MS ? { minPassIntervalMs: Number(process.env.HPS_BENCH_PASS_MS) } : {}),
    });
    const app = await buildApp({ db });
    await app.ready();
    const spec = {
      name: "dispatch-bench",
      seed: 1,
      dataset: { name: "spiral", trainSize: 100, valSize: 30 },
      training: { epochs: 1 },
      space: { "training.learningRate": { type: "loguniform", low: 1e-3, high: 10 } },
      strategy: { type: "random", trials: TRIALS, parallelism: PARALLELISM },
    };
    log(`hps: ${TRIALS} no-op trials, ${WORKERS} worker processes × concurrency ${CONCURRENCY}, parallelism ${PARALLELISM}`);

    // The API server is up and warm, as a deployed one is (the first request compiles its routes).
    await app.inject({ method: "GET", url: "/v1/searches?limit=1" });
    const figures: HpsFigures[] = [];
    for (let k = 0; k < SEARCHES; k++) {
      const f = await timeSearch(app, rows, dispatcher, scheduler, name, url, { ...spec, seed: spec.seed + k });
      log(`hps:    search ${k + 1} of ${SEARCHES}${k === 0 ? " (processes fresh: their first search plans, compiles queries and JITs the hot paths)" : " (warm processes)"}: ${f.trialsPerSecond.toFixed(1)} trials/s (${f.trials} trials in ${f.seconds.toFixed(2)} s)`);
      figures.push(f);
    }
    await app.close();
    return figures;
  } finally {
    await scheduler?.close();
    const alive = [...children];
    for (const c of alive) c.kill("SIGTERM");
    await Promise.all(alive.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : null)));
    await dispatcher.close();
    await db.close();
    await inspect?.close();
    await deleteQueueKeys(REDIS_URL, prefix).catch(() => {});
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/**
 * One search of no-op trials, timed from its POST to its completion (all its trials completed,
 * checked). HPS_BENCH_PROFILE adds its CPU per process and phases.
 */
async function timeSearch(
  app: Awaited<ReturnType<typeof buildApp>>,
  rows: ReturnType<typeof inspectDatabase>["rows"],
  dispatcher: BullDispatcher,
  scheduler: Awaited<ReturnType<typeof startScheduler>>,
  name: string,
  url: string,
  spec: object,
): Promise<HpsFigures> {
  const cpu0 = process.cpuUsage();
  const passes0 = scheduler.stats().passes; // the scheduler outlives each search: count this one's
  const stat0 = machineCpu();
  const pg0 = process.env.HPS_BENCH_PROFILE ? await serverCpu(name) : null;
  const t0 = performance.now();
  const res = await app.inject({ method: "POST", url: "/v1/searches", payload: spec });
  if (process.env.HPS_BENCH_PROFILE) console.error(`POST took ${(performance.now() - t0).toFixed(0)} ms`);
  if (res.statusCode !== 201) throw new Error(`POST /v1/searches: ${res.statusCode} ${res.body}`);
  const id = (res.json() as { id: string }).id;
  const depths: number[] = [];
  const sampler = process.env.HPS_BENCH_PROFILE ? setInterval(() => void dispatcher.depth().then((d) => depths.push(d)), 100) : null;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error("the search did not complete within 10 minutes");
    const s = await rows.search(id);
    if (s.status === "completed") break;
    if (s.status !== "queued" && s.status !== "running") throw new Error(`search ended ${s.status}: ${s.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  if (sampler) clearInterval(sampler);
  if (process.env.HPS_BENCH_PROFILE) {
    console.error(`queue depth (waiting+active) sampled every 100 ms: mean ${(depths.reduce((a, b) => a + b, 0) / Math.max(1, depths.length)).toFixed(0)}, min ${Math.min(...depths)}`);
    const u = process.cpuUsage(cpu0);
    const m = machineCpu();
    const pg1 = await serverCpu(name);
    console.error(`scheduler passes: ${scheduler.stats().passes - passes0}`);
    // Where a trial's time went (Little's law: parallelism slots, each busy enqueue→finish, idle finish→next enqueue).
    const lat = new pg.Client({ connectionString: url });
    await lat.connect();
    const { rows: [l] } = await lat.query<{ queue_ms: number; run_ms: number }>(
      `SELECT avg(extract(epoch FROM started_at - enqueued_at) * 1000)::float8 AS queue_ms, avg(extract(epoch FROM finished_at - started_at) * 1000)::float8 AS run_ms
       FROM trials WHERE search_id = $1`, [id]);
    // The run's phases, from the rows' timestamps (Postgres' clock; the POST's own time from ours).
    const { rows: [p] } = await lat.query<Record<string, number>>(
      `WITH t AS (SELECT created_at, enqueued_at, started_at, finished_at FROM trials WHERE search_id = $1),
            q AS (SELECT percentile_cont(ARRAY[0.1, 0.9]) WITHIN GROUP (ORDER BY t.finished_at - s.created_at) AS f, s.created_at AS c0, s.finished_at AS done
                  FROM t, searches s WHERE s.id = $1 GROUP BY s.created_at, s.finished_at)
       SELECT (extract(epoch FROM min(t.created_at) - q.c0) * 1000)::float8 AS planned, (extract(epoch FROM min(t.enqueued_at) - q.c0) * 1000)::float8 AS enqueued,
              (extract(epoch FROM min(t.started_at) - q.c0) * 1000)::float8 AS started, (extract(epoch FROM max(t.finished_at) - q.c0) * 1000)::float8 AS last,
              (extract(epoch FROM q.done - q.c0) * 1000)::float8 AS completed,
              ((0.8 * count(*)) / extract(epoch FROM q.f[2] - q.f[1]))::float8 AS steady
       FROM t, q GROUP BY q.c0, q.done, q.f`, [id]);
    console.error(`phases from the search row's creation (ms): first trial planned ${p!.planned!.toFixed(0)}, first enqueued ${p!.enqueued!.toFixed(0)}, first claimed ${p!.started!.toFixed(0)}, last finished ${p!.last!.toFixed(0)}, search completed ${p!.completed!.toFixed(0)}; steady state (10th→90th percentile of finishes) ${p!.steady!.toFixed(0)} trials/s`);
    await lat.end();
    const slotMs = (PARALLELISM * seconds * 1000) / TRIALS;
    console.error(`per trial (mean): enqueued→claimed ${l!.queue_ms.toFixed(0)} ms, claimed→finished ${l!.run_ms.toFixed(0)} ms; a slot's cycle ${slotMs.toFixed(0)} ms, so ${(slotMs - l!.queue_ms - l!.run_ms).toFixed(0)} ms from a finish to the scheduler's next enqueue into that slot (incl. the POST and planning)`);
    console.error(`main (api+scheduler): cpu ${((u.user + u.system) / 1e6).toFixed(2)} s; postgres backends of the bench db: ${((pg1.postgres - pg0!.postgres) / 100).toFixed(2)} s; redis: ${((pg1.redis - pg0!.redis) / 100).toFixed(2)} s; machine busy ${((m.busy - stat0.busy) / 100).toFixed(2)} of ${((m.total - stat0.total) / 100).toFixed(2)} core-s`);
  }

  const done = await rows.countTrials({ searchId: id, status: "completed" });
  const reruns = (await rows.trials({ searchId: id })).filter((t) => t.attempts > 1).length;
  if (done !== TRIALS) throw new Error(`expected ${TRIALS} completed trials, found ${done}`);
  if (reruns > 0) log(`hps: note: ${reruns} trials ran more than once`);
  return { trials: done, seconds, trialsPerSecond: done / seconds, workers: WORKERS, concurrency: CONCURRENCY, parallelism: PARALLELISM };
}

interface OptunaFigures { trials: number; seconds: number; trialsPerSecond: number; workers: number; sampler: string }

async function benchOptuna(sampler: "random" | "tpe"): Promise<OptunaFigures> {
  const name = `optuna_bench_${randomBytes(5).toString("hex")}`;
  await admin(`CREATE DATABASE "${name}"`);
  try {
    log(`optuna (${sampler}): ${TRIALS} no-op ask/tell trials, ${WORKERS} processes, RDBStorage on Postgres`);
    const r = spawnSync("/usr/bin/python3", [fileURLToPath(new URL("optuna_bench.py", import.meta.url)), dbUrl(name, "postgresql+psycopg2:"), String(TRIALS), String(WORKERS), sampler], {
      encoding: "utf8",
      timeout: 900_000,
    });
    if (r.status !== 0) throw new Error(`optuna_bench.py failed (${r.status ?? r.signal}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as OptunaFigures;
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

if (!["random", "tpe", "both", "none"].includes(args.optuna!)) throw new Error(`--optuna must be random, tpe, both or none (got ${args.optuna})`);
const searches = await benchHps();
// Headline: the first search of fresh processes (the figure every earlier run reported); beside it,
// the last one, on processes that have run a search before (as a long-running deployment's are).
const hps = searches[0]!;
const warm = searches.length > 1 ? searches.at(-1)! : null;
const wanted = args.optuna === "both" ? (["random", "tpe"] as const) : args.optuna === "none" ? [] : [args.optuna as "random" | "tpe"];
const optuna: Partial<Record<"random" | "tpe", OptunaFigures & { ratio: number; ratioWarm: number | null }>> = {};
for (const sampler of wanted) {
  const o = await benchOptuna(sampler);
  optuna[sampler] = { ...o, ratio: hps.trialsPerSecond / o.trialsPerSecond, ratioWarm: warm ? warm.trialsPerSecond / o.trialsPerSecond : null };
  log(`optuna (${sampler}): ${o.trialsPerSecond.toFixed(1)} trials/s (${o.trials} trials in ${o.seconds.toFixed(2)} s) → hps is ${(hps.trialsPerSecond / o.trialsPerSecond).toFixed(1)}x` +
    (warm ? ` (first search), ${(warm.trialsPerSecond / o.trialsPerSecond).toFixed(1)}x (warm)` : ""));
}
if (args.json) console.log(JSON.stringify({ hps, hpsWarm: warm, searches, optuna, ratio: optuna.random?.ratio ?? optuna.tpe?.ratio ?? null }));
process.exit(0);
