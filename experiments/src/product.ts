import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { HpsClient } from "@hps/client";
import type { SearchDetail, SearchSpecInput } from "@hps/contracts";

/**
 * The real product for the search claims: `scripts/start.ts` (the all-in-one composition root: API,
 * scheduler, worker threads) started as a child process on an ephemeral port, with its own embedded
 * Postgres under a fresh temporary directory and the in-process queue — DATABASE_URL / REDIS_URL are
 * removed from its environment so an experiment never writes into a shared database, and a fresh
 * machine needs nothing installed beyond `pnpm install`. Driven over HTTP with @hps/client.
 */
export interface Product {
  client: HpsClient;
  url: string;
  close(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "../..");
const START_TIMEOUT_MS = 120_000;

export async function startProduct(opts: { concurrency?: number } = {}): Promise<Product> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hps-experiments-"));
  chmodSync(dataDir, 0o755); // embedded Postgres runs as the OS user postgres when we are root
  const pgPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", HPS_DATA_DIR: dataDir, HPS_PG_PORT: String(pgPort), WORKER_CONCURRENCY: String(opts.concurrency ?? 2), LOG_LEVEL: "info",
    // The run is the product's only client: the mutation rate limits guard a shared deployment (a whole run posts hundreds a minute).
    HPS_RATE_LIMIT_PER_IP: "0", HPS_RATE_LIMIT_PER_KEY: "0" };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.HPS_API_KEY_HASHES;
  delete env.HPS_READ_KEYS;
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/start.ts")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the product did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    let buf = "";
    child.stdout!.on("data", (d) => {
      buf += String(d);
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const rec = parseLine(line);
        if (rec && typeof rec.port === "number" && String(rec.msg).startsWith("hps listening")) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${rec.port}`);
        } else if (rec && rec.level >= 50) process.stderr.write(`[product] ${line}\n`);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the product exited (${code}) before listening: ${stderr}`));
    });
  });
  let closed: Promise<void> | null = null;
  return {
    client: new HpsClient({ baseUrl: url }),
    url,
    close: () => (closed ??= stop(child, exited).finally(() => rmSync(dataDir, { recursive: true, force: true }))),
  };
}

/** Submits a spec and polls until the search is final; throws past timeoutMs or if it failed. */
export async function runSearch(client: HpsClient, spec: SearchSpecInput, timeoutMs = 900_000): Promise<SearchDetail> {
  return (await runSearches(client, [spec], timeoutMs, 250))[0]!;
}

/**
 * Submits every spec at once (the scheduler interleaves their trials on the worker threads) and waits
 * for all; results in spec order. One poller for the lot, once a second by default: dozens of searches
 * polled at 250 ms each would take a core from training on a 2-core machine.
 */
export async function runSearches(client: HpsClient, specs: readonly SearchSpecInput[], timeoutMs = 1_200_000, pollMs = 1000): Promise<SearchDetail[]> {
  const ids = [];
  for (const spec of specs) ids.push((await client.submitSearch(spec)).id);
  const done = new Map<string, SearchDetail>();
  const t0 = Date.now();
  while (done.size < ids.length) {
    for (const [i, id] of ids.entries()) {
      if (done.has(id)) continue;
      const s = await client.getSearch(id);
      if (s.status === "failed" || s.status === "cancelled") throw new Error(`search ${id} (${specs[i].name}) ended ${s.status}: ${await whyFailed(client, s)}`);
      if (s.status === "completed") done.set(id, s);
      else break; // not finished: the later ones are unlikely to be either, ask again next second
    }
    if (done.size < ids.length) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`${ids.length - done.size} of ${ids.length} searches not done after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  return ids.map((id) => done.get(id)!);
}

/** The search's error and its failed trials' errors, for the exception (the product's log is not shown). */
async function whyFailed(client: HpsClient, s: SearchDetail): Promise<string> {
  const failed = await client.listTrials(s.id, { status: "failed", limit: 5 });
  return [s.error ?? "no search error", ...failed.items.map((t) => `trial ${t.index}: ${t.error}`)].join("; ");
}

function parseLine(line: string): { level: number; msg?: unknown; port?: unknown } | null {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode === null) child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}
