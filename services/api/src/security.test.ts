/**
 * The API protects itself: hashed and read-only keys, rate limits on mutations, security
 * headers, CORS closed unless configured, request ids in error bodies, and an audit log line
 * per mutation that names the key by id only. Real Postgres (a test database per describe).
 */
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createTestDatabase } from "@hps/db/test-kit";
import { buildApp as buildUncheckedApp, type BuildAppOptions } from "./app.ts";
import { buildCheckedApp } from "./testing/index.ts";
import { keyIdOf } from "./auth.ts";
import { DEFAULT_DASHBOARD_DIR } from "./server.ts";
import { validSpec } from "./test-kit.ts";

const sha256hex = (s: string) => createHash("sha256").update(s).digest("hex");

/** An app on its own test database, with its log lines captured. */
/**
 * `checked: false` only for the headers tests: the dashboard's static files and CORS preflights
 * are outside the OpenAPI document the checked app validates every response against.
 */
async function appWith(deps: Omit<BuildAppOptions, "db" | "logger">, { checked = true } = {}) {
  const db = await createTestDatabase();
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  const build = checked ? buildCheckedApp : buildUncheckedApp;
  const app = await build({ db: db.db, logger: { level: "info", stream }, ...deps });
  return { app, db, logs: () => lines.map((l) => JSON.parse(l) as Record<string, any>), rawLogs: () => lines.join("\n"), close: async () => (await app.close(), await db.drop()) };
}
type T = Awaited<ReturnType<typeof appWith>>;

const post = (app: FastifyInstance, key?: string, extra: Record<string, string> = {}) =>
  app.inject({ method: "POST", url: "/v1/searches", payload: validSpec(), headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra } });

describe("keys: hashed write keys and read-only keys", () => {
  let t: T;
  beforeAll(async () => {
    t = await appWith({ apiKeys: ["plain-writer"], apiKeyHashes: [sha256hex("hashed-writer").toUpperCase()], readKeys: ["reader"] });
  });
  afterAll(async () => t.close());

  it("a key given only by its SHA-256 is accepted for mutations; a wrong one is 401", async () => {
    expect((await post(t.app, "hashed-writer")).statusCode).toBe(201);
    expect((await post(t.app, sha256hex("hashed-writer"))).statusCode).toBe(401); // the hash itself is not a key
    expect((await post(t.app, "plain-writer")).statusCode).toBe(201);
  });

  it("with read keys set, /v1 reads need a read or write key; a read key cannot mutate (403); probes stay open", async () => {
    expect((await t.app.inject({ url: "/v1/searches" })).statusCode).toBe(401);
    expect((await t.app.inject({ url: "/v1/searches", headers: { authorization: "Bearer nope" } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: "/v1/searches", headers: { authorization: "Bearer reader" } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: "/v1/searches", headers: { authorization: "Bearer hashed-writer" } })).statusCode).toBe(200);
    const before = await t.db.rows.counts();
    const res = await post(t.app, "reader");
    expect([res.statusCode, res.json().error]).toEqual([403, "forbidden"]);
    expect(await t.db.rows.counts()).toEqual(before);
    for (const url of ["/healthz", "/docs/json"]) expect((await t.app.inject({ url })).statusCode).toBe(200);
  });
});

describe("rate limits on mutations", () => {
  let t: T;
  beforeAll(async () => {
    t = await appWith({ apiKeys: ["a", "b"], rateLimit: { windowMs: 60_000, perIp: 5, perKey: 2 } });
  });
  afterAll(async () => t.close());

  it("per key: the third mutation with one key is 429 with Retry-After and stores nothing; another key goes on; reads are not limited", async () => {
    expect((await post(t.app, "a")).statusCode).toBe(201);
    expect((await post(t.app, "a")).statusCode).toBe(201);
    const before = await t.db.rows.counts();
    const limited = await post(t.app, "a");
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json()).toMatchObject({ error: "rate_limited", requestId: limited.headers["x-request-id"] });
    expect(await t.db.rows.counts()).toEqual(before);
    expect((await post(t.app, "b")).statusCode).toBe(201);
    for (let i = 0; i < 10; i++) expect((await t.app.inject({ url: "/v1/searches" })).statusCode).toBe(200);
  });

  it("per IP: past the IP's limit every key is refused, and unauthenticated attempts count too", async () => {
    // So far from 127.0.0.1: 4 mutations (a, a, a-refused, b). One more is allowed, then 429 for anyone.
    expect((await post(t.app)).statusCode).toBe(401);
    const res = await post(t.app, "b");
    expect(res.statusCode).toBe(429);
    expect(res.headers["retry-after"]).toBeDefined();
    expect((await post(t.app, "b", {})).statusCode).toBe(429);
    // Another client IP is counted on its own.
    const other = await t.app.inject({ method: "POST", url: "/v1/searches", payload: validSpec(), headers: { authorization: "Bearer b" }, remoteAddress: "10.1.2.3" });
    expect(other.statusCode).toBe(201);
  });
});

describe("headers: security headers, CSP, CORS, request ids", () => {
  let closed: T;
  let open: T;
  beforeAll(async () => {
    closed = await appWith({ dashboardDir: DEFAULT_DASHBOARD_DIR }, { checked: false });
    open = await appWith({ corsOrigins: ["https://ui.example.com"] }, { checked: false });
  });
  afterAll(async () => {
    await closed.close();
    await open.close();
  });

  it("the dashboard is served with a strict CSP (no inline script or style) and helmet's headers", async () => {
    const res = await closed.app.inject({ url: "/" });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers["content-security-policy"]);
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(res.headers["strict-transport-security"]).toBeDefined();
  });

  it("CORS is closed by default: no Access-Control headers for any origin, preflight included", async () => {
    const get = await closed.app.inject({ url: "/v1/searches", headers: { origin: "https://evil.example" } });
    expect(get.headers["access-control-allow-origin"]).toBeUndefined();
    const pre = await closed.app.inject({ method: "OPTIONS", url: "/v1/searches", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(pre.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("with HPS_CORS_ORIGINS, exactly the listed origins are allowed", async () => {
    const ok = await open.app.inject({ url: "/v1/searches", headers: { origin: "https://ui.example.com" } });
    expect(ok.headers["access-control-allow-origin"]).toBe("https://ui.example.com");
    const pre = await open.app.inject({ method: "OPTIONS", url: "/v1/searches", headers: { origin: "https://ui.example.com", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
    expect(pre.statusCode).toBe(204);
    expect(String(pre.headers["access-control-allow-headers"])).toContain("authorization");
    const other = await open.app.inject({ url: "/v1/searches", headers: { origin: "https://ui.example.com.evil.example" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("error bodies carry the request id of the X-Request-Id header; a proxy's id is kept when it looks like one", async () => {
    const mine = await closed.app.inject({ url: "/v1/searches/not-a-uuid", headers: { "x-request-id": "req-42.abc" } });
    expect([mine.statusCode, mine.json()]).toEqual([404, { error: "not_found", requestId: "req-42.abc" }]);
    expect(mine.headers["x-request-id"]).toBe("req-42.abc");
    const bad = await closed.app.inject({ method: "POST", url: "/v1/searches", payload: { name: "x" }, headers: { "x-request-id": "has spaces <script>" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers["x-request-id"]).toBe(bad.json().requestId);
  });
});

describe("audit log", () => {
  let t: T;
  beforeAll(async () => {
    t = await appWith({ apiKeys: ["the-secret-key"] });
  });
  afterAll(async () => t.close());

  it("one line per mutation: key id (never the key), action, search, status — refused attempts too", async () => {
    const created = await post(t.app, "the-secret-key");
    const id = created.json().id as string;
    await t.app.inject({ method: "POST", url: `/v1/searches/${id}/cancel`, headers: { authorization: "Bearer the-secret-key" } });
    await post(t.app, "a-wrong-key");
    await t.app.inject({ url: "/v1/searches" }); // a read: no audit line
    const audit = t.logs().filter((l) => l.msg === "audit").map((l) => l.audit);
    const keyId = keyIdOf(createHash("sha256").update("the-secret-key").digest());
    expect(audit).toEqual([
      { keyId, action: "POST /v1/searches", searchId: id, status: 201, ip: "127.0.0.1" },
      { keyId, action: "POST /v1/searches/:id/cancel", searchId: id, status: 202, ip: "127.0.0.1" },
      { keyId: null, action: "POST /v1/searches", searchId: null, status: 401, ip: "127.0.0.1" },
    ]);
    expect(t.rawLogs()).not.toContain("the-secret-key");
    expect(t.rawLogs()).not.toContain("a-wrong-key");
  });
});
