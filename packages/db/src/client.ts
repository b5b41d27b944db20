import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";
import { attachPool, createPool } from "./driver-pool.ts";

export type { PrismaClient };
export { Prisma } from "./generated/client.ts";
export type { Search as SearchRow, Trial as TrialRow, Round as RoundRow, EpochMetric as EpochMetricRow } from "./generated/client.ts";

export interface DbOptions {
  /** postgresql:// URL. */
  url: string;
  /** Connections in this process's pool (pg default 10). */
  poolSize?: number;
}

/**
 * The one way to get a Prisma client: Prisma 7 talks to Postgres through the pg driver adapter
 * (no engine binary), on a pool this package also uses directly for hot statements (driver-pool.ts).
 */
export function createPrisma({ url, poolSize = 10 }: DbOptions): PrismaClient {
  const pool = createPool(url, poolSize);
  return attachPool(new PrismaClient({ adapter: new PrismaPg(pool) }), pool);
}
