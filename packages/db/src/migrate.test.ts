import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { migrate, MIGRATIONS_DIR } from "./migrate.ts";

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
});
