/**
 * End-to-end helpers: spawn the product's processes (`node --import tsx <script>`, so the pid
 * we hold IS the service — SIGKILL hits it, not a wrapper), talk to the API over HTTP, poll.
 * Every spawned process is tracked and killed by `killAll()` (call it in afterAll).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { DEFAULT_DASHBOARD_DIR, startApi } from "@hps/api";
import { checkedFetch } from "@hps/api/testing";
import { createDb } from "@hps/db";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { deleteQueueKeys } from "@hps/queue";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Last ~200 lines of stdout+stderr (printed when a test fails). */
  log: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first output line matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

const running = new Set<Proc>();

/**
 * `wrap` runs the process under a command that execs it (e.g. `ip netns exec <ns>`), so the pid
 * held is still the service's once the wrapper has exec'd.
 */
export function spawnTs(name: string, script: string, env: NodeJS.ProcessEnv, wrap: readonly string[] = []): Proc {
  const argv = [...wrap, process.execPath, "--import", "tsx", script];
  const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      log.push(line);
      if (log.length > 200) log.shift();
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const proc: Proc = {
    name,
    child,
    log,
    exited,
    waitFor: (re, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const hit = log.find((l) => re.test(l));
        if (hit) return resolve(hit);
        const t = setTimeout(() => reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms\n${log.slice(-30).join("\n")}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
        void exited.then(({ code, signal }) => { clearTimeout(t); reject(new Error(`${name} exited (${code ?? signal}) before ${re}\n${log.slice(-30).join("\n")}`)); });
      }),
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

/** SIGKILLs every process still running; waits for them to be gone. */
export async function killAll(): Promise<void> {
  const procs = [...running];
  for (const p of procs) p.child.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.exited));
}

export function dumpLogs(procs: Proc[]): string {
  return procs.map((p) => `--- ${p.name} ---\n${p.log.slice(-40).join("\n")}`).join("\n");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); res(true); });
    s.once("error", () => res(false));
  });
}

/** The environment without the given variables (and without vitest's own markers). */
export function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  return env;
}

/** One API call over real HTTP; the response is checked against the server's OpenAPI document (checkedFetch). */
export async function http<T = any>(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await checkedFetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Polls `probe` every `everyMs` until it returns a non-undefined value; throws with `what` on timeout. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** GET /v1/searches/:id until its status is final. */
export async function finalSearch(base: string, id: string, timeoutMs = 90_000): Promise<any> {
  return until(
    `search ${id} to finish`,
    async () => {
      const r = await http(base, "GET", `/v1/searches/${id}`);
      return ["completed", "failed", "cancelled"].includes(r.body?.status) ? r.body : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Every trial of a search through the paginated API, in `order`. */
export async function allTrials(base: string, id: string, order: "rank" | "created" = "rank"): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const q = `?order=${order}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const r: { status: number; body: any } = await http(base, "GET", `/v1/searches/${id}/trials${q}`);
    if (r.status !== 200) throw new Error(`GET trials: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}

/**
 * The distributed product on a fresh test database and a unique queue prefix: the API in
 * this process (H4's startApi on a free port), the scheduler and `workers` worker processes
 * spawned on BullMQ.
 */
export interface Cluster {
  db: TestDatabase;
  prefix: string;
  base: string;
  scheduler: Proc;
  workers: Proc[];
  spawnScheduler(): Proc;
  /** A worker process; `env` overrides the cluster's (e.g. URLs through a forwarder), `wrap` as in spawnTs. */
  spawnWorker(id: string, opts?: { env?: NodeJS.ProcessEnv; wrap?: readonly string[] }): Proc;
  procs(): Proc[];
  stop(): Promise<void>;
}

/** `dashboard`: the API also serves the dashboard at "/" (the browser tests). */
export async function startCluster(opts: { workers: number; lockMs?: number; pollMs?: number; dashboard?: boolean }): Promise<Cluster> {
  const db = await createTestDatabase();
  const prefix = `hps-e2e-${randomBytes(4).toString("hex")}`;
  const env = {
    ...envWithout(),
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL!,
    HPS_QUEUE_PREFIX: prefix,
    LOG_LEVEL: "info",
    SCHEDULER_POLL_MS: String(opts.pollMs ?? 500),
    WORKER_CONCURRENCY: "1",
    WORKER_LOCK_MS: String(opts.lockMs ?? 30_000),
  };
  const all: Proc[] = [];
  const spawnScheduler = () => {
    const p = spawnTs("scheduler", "services/scheduler/src/main.ts", env);
    all.push(p);
    return p;
  };
  const spawnWorker = (id: string, o: { env?: NodeJS.ProcessEnv; wrap?: readonly string[] } = {}) => {
    const p = spawnTs(`worker ${id}`, "services/worker/src/main.ts", { ...env, ...o.env, HPS_WORKER_ID: id }, o.wrap);
    all.push(p);
    return p;
  };
  const scheduler = spawnScheduler();
  const workers = Array.from({ length: opts.workers }, (_, i) => spawnWorker(`w${i + 1}`));
  // A small pool: several e2e files run at once against one Postgres (max_connections 100).
  const apiDb = createDb({ url: db.url, poolSize: 3 });
  const api = await startApi({ databaseUrl: db.url, db: apiDb, port: 0, host: "127.0.0.1", logLevel: "silent", ...(opts.dashboard ? { dashboardDir: DEFAULT_DASHBOARD_DIR } : {}) });
  const port = (api.app.server.address() as net.AddressInfo).port;
  await Promise.all([scheduler.waitFor(/scheduler started/), ...workers.map((w) => w.waitFor(/worker started/))]);
  return {
    db,
    prefix,
    base: `http://127.0.0.1:${port}`,
    scheduler,
    workers,
    spawnScheduler,
    spawnWorker,
    procs: () => all,
    stop: async () => {
      await killAll();
      await api.close().catch(() => {});
      await apiDb.close();
      await deleteQueueKeys(process.env.REDIS_URL!, prefix).catch(() => {});
      await db.drop();
    },
  };
}
