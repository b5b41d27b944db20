import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import { listenForWakeups, notifyScheduler, WAKE_CHANNEL } from "./wakeups.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const dbName = () => new URL(db.url).pathname.slice(1);

/** Runs one statement on the server's maintenance database (the test database may refuse connections). */
async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** Backends of the test database whose last statement was the LISTEN. */
const listeners = () =>
  admin<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = $2`, [dbName(), `LISTEN ${WAKE_CHANNEL}`]);

async function until(ok: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("listenForWakeups", () => {
  it("keeps trying to reconnect while Postgres refuses connections, then delivers wake-ups again", async () => {
    const hints: string[] = [];
    const listener = await listenForWakeups(db.url, (h) => hints.push(h));
    try {
      const [first] = await listeners();
      expect(first).toBeDefined();
      await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
      try {
        await admin(`SELECT pg_terminate_backend($1)`, [first!.pid]);
        // the first reconnect attempt (after ~1 s) fails; let it
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
      }
      await until(async () => (await listeners()).length === 1, "the listener to reconnect");
      await notifyScheduler(db.conn, "after-reconnect");
      await until(() => hints.includes("after-reconnect"), "a wake-up after the reconnect");
    } finally {
      await listener.close();
    }
  });

  it("close() right after a lost connection leaves no connection behind (the pending reconnect is cancelled)", async () => {
    const listener = await listenForWakeups(db.url, () => {});
    const [first] = await listeners();
    expect(first).toBeDefined();
    await admin(`SELECT pg_terminate_backend($1)`, [first!.pid]);
    await until(async () => (await listeners()).length === 0, "the old backend to go");
    await listener.close();
    // a reconnect scheduled before close() would open a new LISTEN connection after ~1 s
    await new Promise((r) => setTimeout(r, 1500));
    expect(await listeners()).toEqual([]);
  });
});
