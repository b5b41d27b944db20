import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@hps/db";
import { BullDispatcher, deleteQueueKeys } from "@hps/queue";
import { buildCheckedApp } from "../testing/checked-app.ts";
import { createTestApi, postSearch, validSpec, type TestApi } from "../test-kit.ts";

const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set (scripts/test-services.ts resolves it)");
  return url;
};

/** A local port nothing listens on (bound once by the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe("ops routes", () => {
  let t: TestApi;
  // The API's queue is a real BullMQ dispatcher on the real Redis, on a key prefix of its own.
  const prefix = `hps-test-api-${randomBytes(5).toString("hex")}`;
  let dispatcher: BullDispatcher;
  beforeAll(async () => {
    dispatcher = new BullDispatcher({ redisUrl: redisUrl(), prefix });
    t = await createTestApi({ queue: dispatcher });
  });
  afterAll(async () => {
    await t?.close();
    await dispatcher?.close();
    await deleteQueueKeys(redisUrl(), prefix);
  });

  it("/healthz answers while the process is alive", async () => {
    const res = await t.app.inject({ url: "/healthz" });
    expect([res.statusCode, res.json()]).toEqual([200, { status: "ok" }]);
  });

  it("/readyz is 200 when Postgres and the queue answer, 503 naming the queue when Redis is unreachable", async () => {
    const ok = await t.app.inject({ url: "/readyz" });
    expect([ok.statusCode, ok.json()]).toEqual([200, { status: "ready", checks: { postgres: "ok", queue: "ok" } }]);
    // A real dispatcher whose Redis is a closed port: its ping never gets an answer.
    const down = new BullDispatcher({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, prefix });
    const app = await buildCheckedApp({ db: t.db.db, queue: down });
    try {
      // Both wait out the probe timeout (2 s): ask at once.
      const [res, scrape] = await Promise.all([app.inject({ url: "/readyz" }), app.inject({ url: "/metrics" })]);
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.postgres).toBe("ok");
      expect(res.json().checks.queue).toMatch(/^error: /);
      const metrics = scrape.body;
      expect(metrics).toContain("hps_queue_up 0\n");
      expect(metrics).not.toContain("hps_queue_depth");
    } finally {
      await app.close();
      await down.close();
    }
  });

  it("/readyz is 503 naming Postgres when the database is unreachable; other routes give a bare 500", async () => {
    const db = createDb({ url: "postgresql://postgres@127.0.0.1:1/nowhere" });
    const app = await buildCheckedApp({ db });
    try {
      const res = await app.inject({ url: "/readyz" });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks).toMatchObject({ queue: "not_configured" });
      expect(res.json().checks.postgres).toMatch(/^error: /);
      // Other routes answer 500 without details.
      const list = await app.inject({ url: "/v1/searches" });
      expect([list.statusCode, list.json()]).toEqual([500, { error: "internal" }]);
      expect(list.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await app.close();
      await db.close();
    }
  });

  it("/metrics exposes trials and searches by status, queue depth and request durations", async () => {
    const { id } = (await postSearch(t, validSpec())).json();
    await t.db.rows.seedTrials(id, [{ status: "queued" }, { status: "completed", valAccuracy: 0.5 }, { status: "completed", valAccuracy: 0.7 }]);
    const N = 3; // real jobs in Redis (no consumer runs, so all stay waiting)
    await dispatcher.enqueue(Array.from({ length: N }, () => ({ trialId: randomUUID(), searchId: id })));
    await t.app.inject({ url: `/v1/searches/${id}` });
    const res = await t.app.inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('hps_trials{status="completed"} 2');
    expect(text).toContain('hps_trials{status="queued"} 1');
    expect(text).toContain('hps_searches{status="queued"} 1');
    expect(text).toContain("hps_queue_up 1\n");
    expect(text).toContain(`hps_queue_depth ${N}\n`);
    expect(text).toContain("# TYPE hps_http_request_duration_seconds histogram");
    expect(text).toMatch(/hps_http_request_duration_seconds_count\{method="GET",route="\/v1\/searches\/:id",status_code="200"\} 1\n/);
    expect(text).toMatch(/hps_http_request_duration_seconds_bucket\{method="POST",route="\/v1\/searches",status_code="201",le="\+Inf"\} 1\n/);
  });
});

describe("dashboard", () => {
  it("serves the static build at / next to the API", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hps-dash-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>hps dashboard</title>");
    writeFileSync(join(dir, "app.js"), "console.log('hps')");
    const t = await createTestApi({ dashboardDir: dir });
    try {
      const index = await t.app.inject({ url: "/" });
      expect([index.statusCode, index.headers["content-type"]]).toEqual([200, "text/html; charset=utf-8"]);
      expect(index.body).toContain("hps dashboard");
      expect((await t.app.inject({ url: "/app.js" })).statusCode).toBe(200);
      expect((await t.app.inject({ url: "/v1/searches" })).statusCode).toBe(200);
      expect((await t.app.inject({ url: "/missing.js" })).json()).toEqual({ error: "not_found", requestId: expect.any(String) });
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bearer auth (HPS_API_KEYS)", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ apiKeys: ["first-key", "second-key"] });
  });
  afterAll(async () => {
    await t.close();
  });

  const submit = (headers: Record<string, string>) => t.app.inject({ method: "POST", url: "/v1/searches", payload: validSpec(), headers });

  it("mutating routes need a valid bearer key; nothing is stored without one", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: "first-key" }, { authorization: "Bearer first-key2" }];
    for (const headers of attempts) {
      const res = await submit(headers);
      expect([res.statusCode, res.json()]).toEqual([401, { error: "unauthorized", message: "a valid bearer key is required", requestId: expect.any(String) }]);
    }
    expect((await t.db.rows.counts()).searches).toBe(0);
    expect((await submit({ authorization: "Bearer second-key" })).statusCode).toBe(201);
    const created = await submit({ authorization: "bearer first-key" });
    expect(created.statusCode).toBe(201);
    const cancel = await t.app.inject({ method: "POST", url: `/v1/searches/${created.json().id}/cancel` });
    expect(cancel.statusCode).toBe(401);
    expect((await t.db.rows.search(created.json().id)).status).toBe("queued");
  });

  it("reads stay open", async () => {
    expect((await t.app.inject({ url: "/v1/searches" })).statusCode).toBe(200);
    expect((await t.app.inject({ url: "/healthz" })).statusCode).toBe(200);
  });
});
