import { describe, expect, it } from "vitest";
import { Api, ApiError, KEY_STORAGE } from "../public/js/api.js";

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a queue of responses and records the requests. */
function fakeFetch(responses: Array<() => Response>) {
  const calls: Call[] = [];
  const fetch = async (url: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(url), init });
    const next = responses.shift();
    if (!next) throw new TypeError("fetch failed");
    return next();
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const notModified = () => () => new Response(null, { status: 304 });
const header = (c: Call, name: string) => (c.init.headers as Record<string, string>)[name];

describe("Api.get", () => {
  it("sends the last ETag of a URL as If-None-Match and answers a 304 with the held body", async () => {
    const { fetch, calls } = fakeFetch([json({ n: 1 }, 200, { etag: 'W/"a"' }), notModified(), json({ n: 2 }, 200, { etag: 'W/"b"' })]);
    const api = new Api({ base: "http://h", fetch, storage: memoryStorage() });
    expect(await api.get("/v1/searches/x")).toEqual({ body: { n: 1 }, changed: true });
    expect(await api.get("/v1/searches/x")).toEqual({ body: { n: 1 }, changed: false });
    expect(await api.get("/v1/searches/x")).toEqual({ body: { n: 2 }, changed: true });
    expect(calls.map((c) => header(c, "if-none-match"))).toEqual([undefined, 'W/"a"', 'W/"a"']);
    expect(calls[0].url).toBe("http://h/v1/searches/x");
    expect(calls[0].init.cache).toBe("no-store");
  });

  it("keeps nothing for a response without an ETag", async () => {
    const { fetch, calls } = fakeFetch([json({ items: [] }), json({ items: [] })]);
    const api = new Api({ fetch, storage: memoryStorage() });
    await api.get("/v1/searches");
    await api.get("/v1/searches");
    expect(header(calls[1], "if-none-match")).toBeUndefined();
  });

  it("turns error responses into ApiError with the API's error code and message", async () => {
    const { fetch } = fakeFetch([json({ error: "not_found" }, 404), () => new Response("oops", { status: 502, statusText: "Bad Gateway" })]);
    const api = new Api({ fetch, storage: memoryStorage() });
    await expect(api.get("/v1/trials/x")).rejects.toMatchObject({ name: "ApiError", status: 404, message: "404 not_found" });
    await expect(api.get("/v1/trials/x")).rejects.toMatchObject({ status: 502, message: "502 Bad Gateway" });
  });

  it("reports a network failure as status 0", async () => {
    const api = new Api({ fetch: fakeFetch([]).fetch, storage: memoryStorage() });
    const err = await api.get("/v1/searches").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0 });
  });
});

describe("Api.cancel and the key", () => {
  it("POSTs the cancel with the stored key as a bearer token", async () => {
    const storage = memoryStorage();
    const { fetch, calls } = fakeFetch([json({ error: "unauthorized" }, 401), json({ id: "s 1", status: "cancelled" }, 202)]);
    const api = new Api({ fetch, storage });
    await expect(api.cancel("s 1")).rejects.toMatchObject({ status: 401 });
    expect(header(calls[0], "authorization")).toBeUndefined();
    api.key = "sekret";
    expect(storage.getItem(KEY_STORAGE)).toBe("sekret");
    expect(await api.cancel("s 1")).toEqual({ id: "s 1", status: "cancelled" });
    expect(calls[1].url).toBe("/v1/searches/s%201/cancel");
    expect(calls[1].init.method).toBe("POST");
    expect(header(calls[1], "authorization")).toBe("Bearer sekret");
    api.key = "";
    expect(storage.getItem(KEY_STORAGE)).toBeNull();
  });
});

describe("Api.get and the key", () => {
  it("sends the stored key on reads too (the API may require read keys), and none when there is none", async () => {
    const storage = memoryStorage();
    const { fetch, calls } = fakeFetch([json({ items: [] }), json({ items: [] })]);
    const api = new Api({ fetch, storage });
    await api.get("/v1/searches");
    expect(header(calls[0], "authorization")).toBeUndefined();
    api.key = "reader";
    await api.get("/v1/searches?limit=5");
    expect(header(calls[1], "authorization")).toBe("Bearer reader");
  });
});

describe("Api.post", () => {
  it("sends the JSON body and rejects a 400/422 with the API's issues, paths included", async () => {
    const issues = [{ path: "space.training.learningRate.low", message: "Too small" }, { path: "model.hiden", message: 'unknown key "hiden"' }];
    const { fetch, calls } = fakeFetch([json({ error: "invalid_request", issues, requestId: "r1" }, 400), json({ id: "s2", status: "queued" }, 201)]);
    const api = new Api({ fetch, storage: memoryStorage() });
    const err = await api.post("/v1/searches", { name: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, message: "400 invalid_request", issues });
    expect(calls[0].init.body).toBe('{"name":"x"}');
    expect(header(calls[0], "content-type")).toBe("application/json");
    expect(await api.post("/v1/searches", { name: "y" })).toEqual({ id: "s2", status: "queued" });
  });

  it("gives no issues for an error without them, and sends no body when there is none", async () => {
    const { fetch, calls } = fakeFetch([json({ error: "conflict", message: "search is completed" }, 409)]);
    const api = new Api({ fetch, storage: memoryStorage() });
    await expect(api.post("/v1/searches/s/cancel")).rejects.toMatchObject({ status: 409, issues: [], message: "409 conflict: search is completed" });
    expect(calls[0].init.body).toBeUndefined();
    expect(header(calls[0], "content-type")).toBeUndefined();
  });
});
