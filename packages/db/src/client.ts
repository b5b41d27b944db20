import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";

export type { PrismaClient };
export { Prisma } from "./generated/client.ts";
export type { Search as SearchRow, Trial as TrialRow, Round as RoundRow, EpochMetric as EpochMetricRow } from "./generated/client.ts";

export interface DbOptions {
  /** postgresql:// URL. */
  url: string;
  /** Connections in this process's pool (pg default 10). */
  poolSize?: number;
}

/** The one way to get a Prisma client: Prisma 7 talks to Postgres through the pg driver adapter (no engine binary). */
export function createPrisma({ url, poolSize = 10 }: DbOptions): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
