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
    const failures: unknown[] = [];
    const listener = await listenForWakeups(db.url, (h) => hints.push(h), { retryMs: 100, onReconnectError: (e) => failures.push(e) });
    try {
      const [first] = await listeners();
      expect(first).toBeDefined();
      await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
      try {
        await admin(`SELECT pg_terminate_backend($1)`, [first!.pid]);
        // Two failed reconnects seen: it went on trying after a failure (the old bug stopped after the first).
        await until(() => failures.length >= 2, "two failed reconnect attempts");
      } finally {
        await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
      }
      expect(String(failures[0])).toMatch(/not currently accepting connections/);
      await until(async () => (await listeners()).length === 1, "the listener to reconnect");
      await notifyScheduler(db.conn, "after-reconnect");
      await until(() => hints.includes("after-reconnect"), "a wake-up after the reconnect");
    } finally {
      await listener.close();
    }
  });

  it("close() right after a lost connection leaves no connection behind (the pending reconnect is cancelled)", async () => {
    // The victim is closed while its reconnect is pending. A control listener, which loses its
    // connection at the same moment and retries after three times the victim's delay, is the
    // clock: once the control is back, the victim's reconnect would have happened long before.
    const lost = { victim: false, control: false };
    let controlWakes = 0;
    const victim = await listenForWakeups(db.url, () => {}, { retryMs: 100, onConnectionLost: () => (lost.victim = true) });
    const control = await listenForWakeups(db.url, () => void (controlWakes += 1), { retryMs: 300, onConnectionLost: () => (lost.control = true) });
    try {
      const before = await listeners();
      expect(before).toHaveLength(2);
      await admin(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [before.map((b) => b.pid)]);
      await until(() => lost.victim && lost.control, "both listeners to see their connection lost");
      await victim.close(); // its reconnect is pending now
      await until(() => controlWakes === 2, "the control listener to reconnect"); // one wake per (re)connect
      const after = await listeners();
      expect(after).toHaveLength(1); // the control's
      expect(before.map((b) => b.pid)).not.toContain(after[0]!.pid);
    } finally {
      await victim.close();
      await control.close();
    }
  });
});
