/**
 * Applies prisma/migrations/<name>/migration.sql in name order, keeping Prisma's own
 * bookkeeping table `_prisma_migrations`, so `prisma migrate deploy` on a machine with
 * the schema engine sees them as applied (and vice versa). Prisma's migrate cannot run
 * here (no downloadable engine), hence this small runner.
 *
 * - checksum: lowercase hex SHA-256 of the migration.sql bytes (what Prisma stores);
 * - each file runs as ONE simple-protocol query, i.e. one implicit transaction: a failing
 *   migration rolls back whole;
 * - a row with neither finished_at nor rolled_back_at is a failed migration: refuse to go on;
 * - concurrent runners (api + scheduler + workers starting together) serialise on an advisory lock.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));
/** Arbitrary constant key for pg_advisory_lock ("hps-migrate"). */
const LOCK_KEY = 727_411_002;

export class MigrationError extends Error {
  readonly code = "migration_failed";
}

export interface MigrateResult {
  applied: string[];
}

export async function migrate(url: string, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed) throw new MigrationError(`migration ${failed.migration_name} failed earlier; resolve it before applying more`);
    const done = new Map(rows.filter((r) => r.finished_at).map((r) => [r.migration_name, r.checksum]));

    const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const applied: string[] = [];
    for (const name of names) {
      const sql = await readFile(join(dir, name, "migration.sql"));
      const checksum = createHash("sha256").update(sql).digest("hex");
      const seen = done.get(name);
      if (seen !== undefined) {
        if (seen !== checksum) throw new MigrationError(`migration ${name} was modified after it was applied`);
        continue;
      }
      const id = randomUUID();
      await client.query(`INSERT INTO "_prisma_migrations"(id, checksum, migration_name) VALUES ($1, $2, $3)`, [id, checksum, name]);
      try {
        await client.query(sql.toString("utf8"));
      } catch (err) {
        await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, String(err)]);
        throw new MigrationError(`migration ${name} failed: ${(err as Error).message}`);
      }
      await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
      applied.push(name);
    }
    return { applied };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
