/**
 * The pg pool beneath each client createPrisma makes. Prisma's driver adapter runs on it, and
 * so do the worker's per-trial statements (trial-runs-repo): Prisma adds ~0.3–0.5 ms of CPU per
 * query on top of pg (dispatch bench profile of the workers, HPS_BENCH_CPU_PROF), which on a
 * trial of two statements is a large share of what a no-op trial costs. One pool, so no extra
 * Postgres connections. Internal to packages/db: not exported from index.ts.
 */
import pg from "pg";
import type { PrismaClient } from "./generated/client.ts";

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** A pool for createPrisma. Idle connections that die (Postgres restarted) are dropped by pg; the next query reconnects. */
export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => {});
  return pool;
}

/**
 * Registers `pool` as the client's own and makes `$disconnect` end it too (Prisma's adapter
 * leaves an external pool open, and never connects at all if only the pool was used).
 * The client is done after `$disconnect`, as everywhere in this codebase (shutdown).
 */
export function attachPool(prisma: PrismaClient, pool: pg.Pool): PrismaClient {
  const disconnect = prisma.$disconnect.bind(prisma);
  Object.defineProperty(prisma, "$disconnect", {
    value: async () => {
      try {
        await disconnect();
      } finally {
        if (!pool.ended) await pool.end();
      }
    },
  });
  pools.set(prisma, pool);
  return prisma;
}

/** The pg pool beneath a client made by createPrisma. */
export function poolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error("this PrismaClient was not made by createPrisma (no pg pool attached)");
  return pool;
}

/**
 * Runs static SQL as a named prepared statement on the client's pool: each pooled connection
 * parses and plans it once and Postgres reuses the plan, instead of on every call (these are
 * per-trial statements). A name must always carry the same text.
 */
export function prepared<R extends pg.QueryResultRow = Record<string, unknown>>(
  prisma: PrismaClient,
  name: string,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  return poolOf(prisma).query<R>({ name: `hps_${name}`, text, values });
}
