/**
 * Integration tests get a fresh, migrated database of their own on the real Postgres
 * named by DATABASE_URL (resolved once per run by scripts/test-services.ts), so test
 * files run in parallel without seeing each other's rows.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPrisma, type PrismaClient } from "./client.ts";
import { migrate } from "./migrate.ts";

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("DATABASE_URL is not set: run tests through vitest (scripts/test-services.ts resolves it)");
  const name = `hps_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(base, `CREATE DATABASE "${name}"`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  const prisma = createPrisma({ url, poolSize: 5 });
  return {
    url,
    prisma,
    drop: async () => {
      await prisma.$disconnect();
      await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
