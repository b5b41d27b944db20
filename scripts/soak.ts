/**
 * `pnpm soak [--minutes 10] [--workers 4] [--pollers 50]`: the distributed product under a steady
 * load for N minutes, on loopback only, against DATABASE_URL's Postgres (a fresh database, dropped
 * at the end) and REDIS_URL's Redis (a unique queue prefix, deleted at the end). Not a CI test.
 *
 * Processes: the API, the scheduler and `--workers` worker processes (WORKER_CONCURRENCY=1 each),
 * spawned as `node --import tsx` so each pid is the service. Load: a stream of small searches
 * (a new one whenever fewer than IN_FLIGHT are running) and `--pollers` dashboard pollers, each
 * every ~POLL_MS doing the dashboard's three reads on a random search: GET /v1/searches/:id with
 * If-None-Match, a trials page, and a changedSince poll from its own cursor.
 *
 * At the end (no new searches, pollers stopped, every search drained): p50/p99/max latency per
 * read, errors (non-2xx/304 answers and failed requests) per read, RSS of every process at start
 * and end, and the check that every search completed with exactly its planned trials, each
 * finished by exactly one run ("trial finished" across all workers' logs) with each epoch of its
 * curve stored once. Exits 1 if a check fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import { parseArgs } from "node:util";
import { createTestDatabase } from "@hps/db/test-kit";
import { deleteQueueKeys } from "@hps/queue";

const IN_FLIGHT = 3; // searches running at once: a stream, never a growing backlog
const POLL_MS = 1000; // a dashboard's poll period
const TRIALS_PER_SEARCH = 4;
const DRAIN_MS = 5 * 60_000; // the longest the searches left at the end may take to finish
const RSS_EVERY_MS = 5000;

const { values: args } = parseArgs({
  options: { minutes: { type: "string", default: "10" }, workers: { type: "string", default: "4" }, pollers: { type: "string", default: "50" } },
});
const minutes = Number(args.minutes);
const nWorkers = Number(args.workers);
const nPollers = Number(args.pollers);
for (const [k, v] of Object.entries({ minutes, workers: nWorkers, pollers: nPollers })) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number (got ${String(v)})`);
}
if (!process.env.DATABASE_URL || !process.env.REDIS_URL) throw new Error("DATABASE_URL and REDIS_URL must be set (a Postgres and a Redis to soak against)");
const redisUrl = process.env.REDIS_URL;

interface Service {
  name: string;
  child: ChildProcess;
  /** "trial finished" lines per trial id (one result each is checked on these). */
  finished: Map<string, number>;
  errorLines: number;
  tail: string[];
  exited: Promise<void>;
  waitFor(re: RegExp, ms: number): Promise<void>;
}

function spawnService(name: string, script: string, env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, ["--import", "tsx", script], { env, stdio: ["ignore", "pipe", "pipe"] });
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  const s: Service = {
    name,
    child,
    finished: new Map(),
    errorLines: 0,
    tail: [],
    exited: new Promise((r) => child.once("exit", () => r())),
    waitFor: (re, ms) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${name}: no ${re} within ${ms} ms\n${s.tail.join("\n")}`)), ms);
        waiters.push({ re, resolve: () => (clearTimeout(t), resolve()) });
      }),
  };
  let partial = "";
  const onData = (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line) continue;
      s.tail.push(line);
      if (s.tail.length > 30) s.tail.shift();
      if (/"level":(50|60)/.test(line)) s.errorLines++;
      if (line.includes('"msg":"trial finished"')) {
        const id = /"trialId":"([^"]+)"/.exec(line)?.[1];
        if (id) s.finished.set(id, (s.finished.get(id) ?? 0) + 1);
      }
      for (const w of [...waiters]) if (w.re.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  return s;
}

function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null; // the process is gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

type Read = "search" | "trials" | "changed";
const latency: Record<Read, number[]> = { search: [], trials: [], changed: [] };
const errors: Record<Read | "create", number> = { search: 0, trials: 0, changed: 0, create: 0 };
let notModified = 0;

async function main(): Promise<void> {
  const t0 = Date.now();
  const db = await createTestDatabase({ poolSize: 2 });
  const prefix = `hps-soak-${randomBytes(4).toString("hex")}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, DATABASE_URL: db.url, REDIS_URL: redisUrl, HPS_QUEUE_PREFIX: prefix, LOG_LEVEL: "info", WORKER_CONCURRENCY: "1" };
  const services: Service[] = [];
  const searches: Array<{ id: string; planned: number }> = [];
  let failed = false;
  try {
    services.push(spawnService("api", "services/api/src/server.ts", { ...env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" }));
    services.push(spawnService("scheduler", "services/scheduler/src/main.ts", env));
    for (let i = 1; i <= nWorkers; i++) services.push(spawnService(`worker w${i}`, "services/worker/src/main.ts", { ...env, HPS_WORKER_ID: `w${i}` }));
    await Promise.all(services.slice(1).map((s) => s.waitFor(/started/, 120_000)));
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error("the API did not answer /healthz within 120 s");
      await sleep(200);
    }
    const rss = (): Record<string, number | null> =>
      Object.fromEntries([["soak driver", process.memoryUsage().rss / 2 ** 20] as const, ...services.map((s) => [s.name, rssMb(s.child.pid)] as const)]);
    const rssStart = rss();
    const rssMax: Record<string, number> = {};
    for (const [k, v] of Object.entries(rssStart)) if (v !== null) rssMax[k] = v;
    // After a minute of load every process has loaded the dataset and warmed up: growth past this is what matters.
    let rssWarm: Record<string, number | null> | null = null;
    const warmAt = Date.now() + 60_000;
    const sampler = setInterval(() => {
      if (!rssWarm && Date.now() >= warmAt) rssWarm = rss();
      for (const [k, v] of Object.entries(rss())) if (v !== null) rssMax[k] = Math.max(rssMax[k] ?? 0, v);
    }, RSS_EVERY_MS);
    console.log(`soak: ${minutes} min, ${nWorkers} workers, ${nPollers} pollers, API ${base}, database ${new URL(db.url).pathname.slice(1)}, queue prefix ${prefix} (ready after ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    const loadEnds = Date.now() + minutes * 60_000;
    const running = new Set<string>();

    // The stream of small searches: a new one whenever fewer than IN_FLIGHT are running.
    const submitter = (async () => {
      for (let n = 0; Date.now() < loadEnds; ) {
        for (const id of [...running]) {
          const r = await fetch(`${base}/v1/searches/${id}`).catch(() => null);
          const body = r?.ok ? ((await r.json()) as { status: string }) : null;
          if (body && ["completed", "failed", "cancelled"].includes(body.status)) running.delete(id);
        }
        while (running.size < IN_FLIGHT && Date.now() < loadEnds) {
          const spec = {
            name: `soak-${n++}`,
            seed: n,
            dataset: { name: "mnist", trainSize: 500, valSize: 100 },
            model: { hidden: [16] },
            training: { epochs: 3, batchSize: 32, optimizer: "sgd" },
            space: { "training.learningRate": { type: "loguniform", low: 0.001, high: 0.1 } },
            strategy: { type: "random", trials: TRIALS_PER_SEARCH, parallelism: 2 },
          };
          const r = await fetch(`${base}/v1/searches`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) }).catch(() => null);
          if (r?.status !== 201) {
            errors.create++;
            break;
          }
          const { id } = (await r.json()) as { id: string };
          searches.push({ id, planned: TRIALS_PER_SEARCH });
          running.add(id);
        }
        await sleep(500);
      }
    })();

    // A dashboard poller: its own ETags and changedSince cursors, like one open browser tab.
    const poller = async (k: number) => {
      const etags = new Map<string, string>();
      const cursors = new Map<string, string>();
      const timed = async (read: Read, url: string, headers: Record<string, string> = {}) => {
        const start = performance.now();
        try {
          const r = await fetch(url, { headers });
          const body = r.status === 200 ? await r.json() : (await r.arrayBuffer(), null);
          latency[read].push(performance.now() - start);
          if (r.status === 304) notModified++;
          else if (r.status !== 200) errors[read]++;
          return { r, body: body as any };
        } catch {
          errors[read]++;
          return null;
        }
      };
      await sleep((k * POLL_MS) / nPollers); // spread the pollers over the period
      while (Date.now() < loadEnds) {
        const pick = searches.length ? searches[Math.max(0, searches.length - 1 - Math.floor(Math.random() * Math.min(10, searches.length)))] : null;
        if (pick) {
          const tag = etags.get(pick.id);
          const s = await timed("search", `${base}/v1/searches/${pick.id}`, tag ? { "if-none-match": tag } : {});
          const etag = s?.r.headers.get("etag");
          if (etag) etags.set(pick.id, etag);
          await timed("trials", `${base}/v1/searches/${pick.id}/trials?order=rank&limit=20`);
          const since = cursors.get(pick.id) ?? new Date(0).toISOString();
          const c = await timed("changed", `${base}/v1/searches/${pick.id}/trials?changedSince=${encodeURIComponent(since)}&limit=100`);
          if (c?.body?.nextCursor) cursors.set(pick.id, c.body.nextCursor);
        }
        await sleep(POLL_MS * (0.8 + 0.4 * Math.random()));
      }
    };
    await Promise.all([submitter, ...Array.from({ length: nPollers }, (_, k) => poller(k))]);

    // Drain: the searches still running finish (bounded).
    const drainEnds = Date.now() + DRAIN_MS;
    const finals = new Map<string, { status: string; counts: Record<string, number> }>();
    while (finals.size < searches.length && Date.now() < drainEnds) {
      for (const s of searches) {
        if (finals.has(s.id)) continue;
        const body = (await fetch(`${base}/v1/searches/${s.id}`).then((r) => r.json(), () => null)) as { status: string; counts: Record<string, number> } | null;
        if (body && ["completed", "failed", "cancelled"].includes(body.status)) finals.set(s.id, body);
      }
      await sleep(1000);
    }
    clearInterval(sampler);
    const rssEnd = rss();

    // Checks: every search completed with exactly its planned trials, one result each, each epoch once.
    const problems: string[] = [];
    const finishedBy = new Map<string, number>();
    for (const s of services) for (const [id, n] of s.finished) finishedBy.set(id, (finishedBy.get(id) ?? 0) + n);
    let trials = 0;
    for (const s of searches) {
      const f = finals.get(s.id);
      if (!f) problems.push(`search ${s.id} did not finish within the drain`);
      else if (f.status !== "completed") problems.push(`search ${s.id} ended ${f.status}`);
      const rows = await db.rows.trials({ searchId: s.id });
      trials += rows.length;
      if (rows.length !== s.planned) problems.push(`search ${s.id}: ${rows.length} trials, planned ${s.planned}`);
      for (const t of rows) {
        if (t.status !== "completed" && t.status !== "stopped") problems.push(`trial ${t.id}: ${t.status}`);
        const runs = finishedBy.get(t.id) ?? 0;
        if (runs !== 1) problems.push(`trial ${t.id}: finished by ${runs} runs`);
        const epochs = (await db.rows.curve(t.id)).map((e) => e.epoch);
        if (epochs.join() !== Array.from({ length: t.epochs }, (_, i) => i + 1).join()) problems.push(`trial ${t.id}: curve epochs ${epochs.join()} for ${t.epochs} epochs`);
      }
    }

    const fmt = (v: number | null | undefined) => (v == null ? "—" : v.toFixed(0));
    console.log(`\nload: ${((Date.now() - t0) / 60_000).toFixed(1)} min wall, ${searches.length} searches, ${trials} trials`);
    console.log("read            n      p50 ms  p99 ms  max ms  errors");
    for (const read of Object.keys(latency) as Read[]) {
      const s = [...latency[read]].sort((a, b) => a - b);
      console.log(`${read.padEnd(14)}${String(s.length).padStart(7)}${quantile(s, 0.5).toFixed(1).padStart(8)}${quantile(s, 0.99).toFixed(1).padStart(8)}${(s.at(-1) ?? NaN).toFixed(1).padStart(8)}${String(errors[read]).padStart(8)}`);
    }
    console.log(`304 Not Modified: ${notModified}; failed search creations: ${errors.create}; error-level log lines: ${services.map((s) => `${s.name} ${s.errorLines}`).join(", ")}`);
    const warm: Record<string, number | null> = rssWarm ?? {};
    console.log("process         RSS start MB  at 1 min MB  RSS max MB  RSS end MB");
    for (const k of Object.keys(rssStart)) console.log(`${k.padEnd(16)}${fmt(rssStart[k]).padStart(12)}${fmt(warm[k]).padStart(13)}${fmt(rssMax[k]).padStart(12)}${fmt(rssEnd[k]).padStart(12)}`);
    if (problems.length) {
      failed = true;
      console.log(`\nFAILED: ${problems.length} problems\n${problems.slice(0, 30).join("\n")}`);
    } else {
      console.log(`\nOK: ${searches.length} searches completed with exactly their ${TRIALS_PER_SEARCH} planned trials, each finished by one run, each epoch stored once`);
    }
  } catch (err) {
    failed = true;
    console.error(err);
    for (const s of services) console.error(`--- ${s.name} ---\n${s.tail.join("\n")}`);
  } finally {
    for (const s of services) s.child.kill("SIGTERM");
    const hard = setTimeout(() => services.forEach((s) => s.child.kill("SIGKILL")), 30_000);
    await Promise.all(services.map((s) => s.exited));
    clearTimeout(hard);
    await deleteQueueKeys(redisUrl, prefix).catch(() => {});
    await db.drop();
  }
  process.exit(failed ? 1 : 0);
}

await main();
