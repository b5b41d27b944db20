import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { migrate, MIGRATIONS_DIR } from "./migrate.ts";

/**
 * Prisma's own checksum of the script "hello", from its schema engine's unit test
 * `format_checksum_does_not_strip_zeros` (prisma/prisma-engines,
 * schema-engine/connectors/schema-connector/src/checksum.rs, commit 48784dc4afd7): the
 * lowercase hex SHA-256 with every byte zero-padded (an older engine dropped the zeros,
 * prisma-engines#1887). An independent value: not recomputed the way our runner does it.
 */
const PRISMA_CHECKSUM_OF_HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

/** Runs one statement on the server's maintenance database (DATABASE_URL). */
async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A new, empty database (no migrations applied), dropped by the returned function. */
async function emptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hps_test_mig_${randomBytes(6).toString("hex")}`;
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("migrate", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it("records applied migrations the way Prisma does and is idempotent", async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(`SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`);
    await c.end();
    expect(rows.length).toBeGreaterThan(0);
    const first = rows.find((r) => r.migration_name === "20261126153000_init")!;
    const sql = readFileSync(join(MIGRATIONS_DIR, "20261126153000_init", "migration.sql"));
    expect(first.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
    expect(first.finished_at).not.toBeNull();
    expect(first.applied_steps_count).toBe(1);
    expect((await migrate(db.url)).applied).toEqual([]);
    expect(await db.conn.prisma.search.count()).toBe(0);
  });

  it("stores the checksum Prisma's schema engine computes (its own test vector)", async () => {
    // A migration whose script is exactly "hello": not valid SQL, so it fails, but the runner
    // records its row (with the checksum) before running it, as Prisma does.
    const dir = mkdtempSync(join(tmpdir(), "hps-mig-"));
    mkdirSync(join(dir, "20990101000000_hello"));
    writeFileSync(join(dir, "20990101000000_hello", "migration.sql"), "hello");
    const fresh = await emptyDatabase();
    try {
      await expect(migrate(fresh.url, dir)).rejects.toThrow(/20990101000000_hello failed/);
      const rows = await query<{ checksum: string }>(fresh.url, `SELECT checksum FROM "_prisma_migrations"`);
      expect(rows).toEqual([{ checksum: PRISMA_CHECKSUM_OF_HELLO }]);
    } finally {
      await fresh.drop();
    }
  });

  it("concurrent runners on a fresh database apply each migration exactly once (advisory lock)", async () => {
    const fresh = await emptyDatabase();
    try {
      const names = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
      expect(names.length).toBeGreaterThan(0);
      // Without the lock the runners race: both see no rows, both insert and run the same
      // script (CREATE TYPE/TABLE then fails in one of them), or both record it.
      // allSettled: every runner has ended before the database is dropped.
      const settled = await Promise.allSettled(Array.from({ length: 4 }, () => migrate(fresh.url)));
      expect(settled.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok", "ok", "ok"]);
      const results = settled.map((r) => (r as PromiseFulfilledResult<{ applied: string[] }>).value);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1); // the first to lock applies all; the rest see them done
      const rows = await query<{ migration_name: string; finished: boolean; applied_steps_count: number }>(
        fresh.url,
        `SELECT migration_name, finished_at IS NOT NULL AS finished, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows).toEqual(names.map((migration_name) => ({ migration_name, finished: true, applied_steps_count: 1 })));
    } finally {
      await fresh.drop();
    }
  });

  it("rolls a failing migration back whole and refuses to continue past it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hps-mig-"));
    mkdirSync(join(dir, "20990101000000_bad"));
    writeFileSync(join(dir, "20990101000000_bad", "migration.sql"), `CREATE TABLE half_done(x int); SELECT * FROM no_such_table;`);
    await expect(migrate(db.url, dir)).rejects.toThrow(/20990101000000_bad failed/);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const t = await c.query(`SELECT to_regclass('half_done') AS t`);
    await c.end();
    expect(t.rows[0].t).toBeNull();
    await expect(migrate(db.url, dir)).rejects.toThrow(/failed earlier/);
  });
  it("upgrading a database with trials to trial_changes keeps every trial's feed key, and the trigger goes on from there", async () => {
    // The migrations before 20261201150000 (trials.change_seq), some trials written through their
    // trigger, then the rest: each trial's key must carry over, or a poller's cursor would skip or replay.
    const upTo = "20261201150000_trial_changes";
    const before = mkdtempSync(join(tmpdir(), "hps-mig-before-"));
    for (const name of readdirSync(MIGRATIONS_DIR)) if (name < upTo) cpSync(join(MIGRATIONS_DIR, name), join(before, name), { recursive: true });
    const fresh = await emptyDatabase();
    try {
      await migrate(fresh.url, before);
      await query(fresh.url, `
        INSERT INTO searches (id, name, spec, planned_trials) VALUES ('00000000-0000-4000-8000-000000000001', 's', '{}', 3);
        INSERT INTO trials (id, search_id, round, index, params, config)
          SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 0, i, '{}', '{}' FROM generate_series(0, 2) AS i;
        UPDATE trials SET status = 'running' WHERE index = 1;
        UPDATE trials SET status = 'completed' WHERE index = 2;`);
      const keys = await query<{ id: string; change_seq: string }>(fresh.url, `SELECT id, change_seq::text FROM trials ORDER BY index`);
      const seqs = keys.map((k) => Number(k.change_seq));
      expect(seqs[0]).toBeLessThan(seqs[1]!); // one version per statement: insert, then each update
      expect(seqs[1]).toBeLessThan(seqs[2]!);

      expect((await migrate(fresh.url)).applied).toEqual(readdirSync(MIGRATIONS_DIR).filter((n) => n >= upTo && !n.endsWith(".toml")).sort());
      const moved = await query<{ id: string; change_seq: string }>(fresh.url, `SELECT trial_id AS id, change_seq::text FROM trial_changes ORDER BY change_seq`);
      expect(moved).toEqual(keys);
      await query(fresh.url, `UPDATE trials SET status = 'running' WHERE index = 0`);
      const after = await query<{ index: number; change_seq: string }>(fresh.url, `SELECT t.index, x.change_seq::text FROM trial_changes x JOIN trials t ON t.id = x.trial_id ORDER BY t.index`);
      expect(after).toEqual([{ index: 0, change_seq: String(seqs[2]! + 1) }, { index: 1, change_seq: String(seqs[1]) }, { index: 2, change_seq: String(seqs[2]) }]);
      const columns = await query<{ n: number }>(fresh.url, `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'trials' AND column_name = 'change_seq'`);
      expect(columns[0]!.n).toBe(0);
    } finally {
      await fresh.drop();
    }
  });
});
