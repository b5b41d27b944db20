/**
 * One connection to Postgres for this package's repositories: a Prisma client (pg driver
 * adapter, no engine binary) on a pg pool that the hot per-trial statements also use
 * directly as named prepared statements — Prisma adds ~0.3–0.5 ms of CPU per query on top
 * of pg (dispatch bench profile), a large share of what a no-op trial costs. One pool, so
 * no extra Postgres connections. Internal to packages/db: services get a `Db` (db.ts).
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client.ts";

export interface ConnectionOptions {
  /** postgresql:// URL. */
  url: string;
  /** Connections in this process's pool (pg default 10). */
  poolSize?: number;
}

/** What every repository function takes first. */
export interface Conn {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  readonly url: string;
}

export function openConn({ url, poolSize = 10 }: ConnectionOptions): Conn {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Idle connections that die (Postgres restarted) are dropped by pg; the next query reconnects.
  pool.on("error", () => {});
  return { prisma: new PrismaClient({ adapter: new PrismaPg(pool) }), pool, url };
}

/** Ends the client and the pool (Prisma's adapter leaves an external pool open). */
export async function closeConn(c: Conn): Promise<void> {
  try {
    await c.prisma.$disconnect();
  } finally {
    if (!c.pool.ended) await c.pool.end();
  }
}

/**
 * Runs static SQL as a named prepared statement on the pool: each pooled connection parses
 * and plans it once and Postgres reuses the plan (these are per-trial statements). A name
 * must always carry the same text.
 */
export function prepared<R extends pg.QueryResultRow = Record<string, unknown>>(
  c: Conn,
  name: string,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  return c.pool.query<R>({ name: `hps_${name}`, text, values });
}
