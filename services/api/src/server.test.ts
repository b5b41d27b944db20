import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { startApi } from "./server.ts";
import { checkedFetch } from "./testing/checked-fetch.ts";

describe("startApi", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it("listens on a real socket, reads the BullMQ queue on REDIS_URL, and closes idempotently", async () => {
    const api = await startApi({ databaseUrl: db.url, port: 0, host: "127.0.0.1", redisUrl: process.env.REDIS_URL!, logger: false });
    try {
      const ready = await checkedFetch(`${api.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready", checks: { postgres: "ok", queue: "ok" } });
      const metrics = await (await checkedFetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/^hps_queue_depth \d+$/m);
    } finally {
      await api.close();
      await api.close();
    }
    await expect(checkedFetch(`${api.url}/healthz`)).rejects.toThrow();
  });
});
