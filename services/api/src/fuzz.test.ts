/**
 * Property-based fuzz of the whole HTTP surface against the real app on real Postgres:
 * 10,000 generated requests (mutated specs, raw bodies, cancels, query strings, ids), seeded.
 * Every answer is 2xx or 4xx with a JSON body ({error} for 4xx), never 5xx, and a refused
 * mutation stores nothing: rows change only by what the accepted submissions store, compared
 * every 50 requests.
 * Plus the strings Postgres cannot store, one by one, each → 400 naming its field.
 * The status histogram is printed (and asserted to reach both accepted and refused answers).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, validSpec, type TestApi } from "./test-kit.ts";

type RowCounts = { searches: number; rounds: number; trials: number };
/** Row counts are compared every this many requests (each count is 3 queries; per request it doubled the run time). */
const COUNT_EVERY = 50;

const KEY = "fuzz-key";
const RUNS = 10_000;
const SEED = 20261201;

// ---- generators -------------------------------------------------------------------------

/** Strings from plain to hostile: any code point, lone UTF-16 surrogates, NUL, prototype names. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  fc.constantFrom("\u0000", "\ud800", "\udfff", "a\u0000b", "x\ud83d", "__proto__", "constructor", "prototype", "model.__proto__", "", " ", "😀", "\u2028", "relu", "mnist", "spiral"),
);

const CONFIG_PATHS = [
  "training.learningRate",
  "training.l2",
  "training.batchSize",
  "training.epochs",
  "training.optimizer",
  "model.hidden",
  "model.activation",
  "model.dropout",
  "model.init",
  "dataset.trainSize",
  "dataset.preprocess",
  "seed",
];
const spacePath = fc.oneof(fc.constantFrom(...CONFIG_PATHS), nastyString, fc.constantFrom("training.constructor", "prototype", "model.hidden.__proto__"));

const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    nastyString,
    fc.double(),
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("json"), { maxLength: 4 }),
    fc.dictionary(nastyString, tie("json"), { maxKeys: 4 }),
  ),
}));

const distribution = fc.oneof(
  fc.record({ type: fc.constant("choice"), values: fc.array(json, { minLength: 0, maxLength: 4 }) }),
  fc.record({ type: fc.constantFrom("uniform", "loguniform", "int", "nope"), low: fc.oneof(fc.double(), json), high: fc.oneof(fc.double(), json), points: fc.option(fc.integer({ min: -2, max: 2000 }), { nil: undefined }) }),
  json,
);

type Mutation = (spec: Record<string, any>) => void;
const pathsOf = (o: unknown, prefix: string[] = []): string[][] =>
  o !== null && typeof o === "object" && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]) : [];
const BASE_PATHS = pathsOf(validSpec());

const setPath = (obj: Record<string, any>, path: string[], value: unknown) => {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== "object") cur[k] = {};
    cur = cur[k];
  }
  if (value === undefined) delete cur[path[path.length - 1]!];
  else cur[path[path.length - 1]!] = value;
};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ p: fc.constantFrom(...BASE_PATHS), v: json }).map(({ p, v }) => (s: Record<string, any>) => setPath(s, p, v)),
  fc.constantFrom(...BASE_PATHS).map((p) => (s: Record<string, any>) => setPath(s, p, undefined)),
  fc.record({ p: fc.constantFrom([] as string[], ...BASE_PATHS), k: nastyString, v: json }).map(({ p, k, v }) => (s: Record<string, any>) => setPath(s, [...p, k], v)),
  fc.record({ k: spacePath, d: distribution }).map(({ k, d }) => (s: Record<string, any>) => {
    s.space = { ...(typeof s.space === "object" && s.space ? s.space : {}), [k]: d };
  }),
  nastyString.map((n) => (s: Record<string, any>) => void (s.name = n)),
  // Well-formed but infeasible (422 from the handler's checks, past validation).
  fc
    .constantFrom<Mutation>(
      (s) => void (s.dataset = { name: "spiral", trainSize: 100_000, valSize: 100_000 }),
      (s) => void (s.dataset = { name: "mnist", trainSize: 9_990, valSize: 500 }),
      (s) => {
        s.strategy = { type: "grid" };
        s.space = { "training.learningRate": { type: "loguniform", low: 1e-4, high: 1, points: 200 }, "training.l2": { type: "loguniform", low: 1e-6, high: 1e-1, points: 200 } };
      },
      (s) => {
        s.dataset = { name: "mnist", trainSize: 200, valSize: 50 };
        s.model = { type: "cnn", conv: [{ filters: 4, size: 29 }], hidden: [] };
      },
    ),
);

/** A spec: valid, or valid with 1–3 mutations. Serialised by JSON.stringify (lone surrogates become \\udxxx escapes). */
const specBody = fc.oneof({ weight: 1, arbitrary: fc.constant([] as Mutation[]) }, { weight: 15, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }).map((ms) => {
  const s = validSpec() as Record<string, any>;
  for (const m of ms) m(s);
  return JSON.stringify(s);
});

/** Raw bytes percent-encoded: reaches invalid UTF-8 (e.g. %ED%A0%80, a surrogate) and %00. */
const pctBytes = fc.uint8Array({ maxLength: 6 }).map((b) => [...b].map((x) => "%" + x.toString(16).padStart(2, "0")).join(""));
const utf8Pct = (s: string) => [...Buffer.from(s, "utf8")].map((x) => "%" + x.toString(16).padStart(2, "0")).join("");
const queryValue = fc.oneof(
  nastyString.map(utf8Pct),
  pctBytes,
  fc.integer({ min: -10, max: 1000 }).map(String),
  fc.constantFrom("rank", "created", "queued", "completed", "bogus", "2026-01-01T00:00:00Z", "eyJ0IjoxfQ", "50", "0", "1e3", ""),
);
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom("limit", "cursor", "status", "order", "changedSince"), nastyString.map(utf8Pct)), queryValue), { maxLength: 5 })
  .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join("&"));

interface Req {
  method: "GET" | "POST";
  url: string;
  body?: string;
  contentType?: string;
  auth: boolean;
}

const idLike = (existing: () => string) =>
  fc.oneof(fc.constant(null), fc.uuid().map((u) => u), nastyString.map(utf8Pct), pctBytes).map((v) => (v === null ? existing() : v));

/** With the key 9 times in 10 (so most mutations get past auth and reach validation). */
const mostly = fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

const request = (existing: () => string): fc.Arbitrary<Req> =>
  fc.oneof(
    { weight: 45, arbitrary: fc.record({ body: specBody, auth: mostly }).map(({ body, auth }) => ({ method: "POST" as const, url: "/v1/searches", body, contentType: "application/json", auth })) },
    {
      weight: 8,
      arbitrary: fc
        .record({ body: fc.oneof(fc.string({ unit: "binary" }), json.map((j) => JSON.stringify(j) ?? "null"), fc.constantFrom('{"__proto__":{"x":1}}', '{"\\u005f_proto__":1}', "[".repeat(5000), '{"name":"\\u0000"}', '{"name":"\\ud800"}')), ct: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "") })
        .map(({ body, ct }) => ({ method: "POST" as const, url: "/v1/searches", body, contentType: ct, auth: true })),
    },
    { weight: 10, arbitrary: fc.record({ id: idLike(existing), body: fc.option(json.map((j) => JSON.stringify(j) ?? "null"), { nil: undefined }), auth: mostly }).map(({ id, body, auth }) => ({ method: "POST" as const, url: `/v1/searches/${id}/cancel`, ...(body !== undefined ? { body, contentType: "application/json" } : {}), auth })) },
    { weight: 12, arbitrary: queryString.map((q) => ({ method: "GET" as const, url: `/v1/searches?${q}`, auth: false })) },
    { weight: 15, arbitrary: fc.record({ id: idLike(existing), q: queryString }).map(({ id, q }) => ({ method: "GET" as const, url: `/v1/searches/${id}/trials?${q}`, auth: false })) },
    { weight: 10, arbitrary: fc.record({ id: idLike(existing), which: fc.constantFrom("/v1/searches/", "/v1/trials/") }).map(({ id, which }) => ({ method: "GET" as const, url: `${which}${id}`, auth: false })) },
  );

// ---- the properties ---------------------------------------------------------------------

describe("fuzz: the API never answers 5xx and stores nothing it refuses", () => {
  let t: TestApi;
  let existingId = "";
  /** The rows one accepted submission stores (searches, rounds, trials), measured on the first. */
  let perCreate: RowCounts;
  beforeAll(async () => {
    t = await createTestApi({ apiKeys: [KEY], bodyLimit: 64 * 1024 });
    const before = await t.db.rows.counts();
    const res = await t.app.inject({ method: "POST", url: "/v1/searches", payload: validSpec(), headers: { authorization: `Bearer ${KEY}` } });
    existingId = res.json().id;
    const after = await t.db.rows.counts();
    perCreate = { searches: after.searches - before.searches, rounds: after.rounds - before.rounds, trials: after.trials - before.trials };
    expect(perCreate.searches).toBe(1); // and no rounds or trials: the scheduler plans those
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the strings Postgres cannot store, in every string field, are a 400 naming the field", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [];
    for (const bad of ["\u0000", "\ud800", "a\udc00", "\udbff\u0000"]) {
      cases.push(["name", validSpec({ name: bad }), "name"]);
      cases.push(["space path", validSpec({ space: { [`model.hidden${bad}`]: { type: "choice", values: [[8]] } } }), `space.model.hidden${bad}`]);
      cases.push(["choice value", validSpec({ space: { "model.activation": { type: "choice", values: ["relu", bad] } } }), "space.model.activation.values.1"]);
      cases.push(["nested choice key", validSpec({ space: { "model.hidden": { type: "choice", values: [[8], { [bad]: 1 }] } } }), `space.model.hidden.values.1.${bad}`]);
    }
    for (const [what, spec, path] of cases) {
      const before = await t.db.rows.counts();
      const res = await t.app.inject({ method: "POST", url: "/v1/searches", payload: JSON.stringify(spec), headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` } });
      expect(res.statusCode, `${what} ${JSON.stringify(path)}`).toBe(400);
      expect(res.json().issues, what).toContainEqual({ path, message: expect.stringMatching(/cannot be stored/) });
      expect(await t.db.rows.counts()).toEqual(before);
    }
    for (const q of [`cursor=${utf8Pct("\u0000")}`, `changedSince=%00`, `changedSince=%ED%A0%80`]) {
      const res = await t.app.inject({ url: `/v1/searches/${existingId}/trials?${q}` });
      expect(res.statusCode, q).toBe(400);
    }
  });

  it("__proto__, constructor and prototype keys are refused in space paths and anywhere in a body", async () => {
    const withProtoSpaceKey = JSON.stringify(validSpec()).replace('"space":{', '"space":{"__proto__":{"type":"choice","values":[1]},');
    const bodies = [
      withProtoSpaceKey,
      '{"name":"x","\\u005f_proto__":{}}', // an escaped spelling of the same key
      JSON.stringify(validSpec({ space: { constructor: { type: "choice", values: [1] } } })),
      JSON.stringify(validSpec({ space: { "model.prototype": { type: "choice", values: [1] } } })),
      JSON.stringify(validSpec({ space: { "model.hidden": { type: "choice", values: [[8], { constructor: 1 }] } } })),
    ];
    expect(withProtoSpaceKey).toContain('"__proto__"');
    for (const spec of bodies) {
      const before = await t.db.rows.counts();
      const res = await t.app.inject({ method: "POST", url: "/v1/searches", payload: spec, headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` } });
      expect(res.statusCode, spec.slice(0, 80)).toBe(400);
      expect(await t.db.rows.counts()).toEqual(before);
    }
  });

  it(`${RUNS} generated requests: 2xx or 4xx with a JSON body, never 5xx; refused mutations store nothing`, async () => {
    const histogram = new Map<number, number>();
    const started = performance.now();
    // Rows may change only by accepted submissions, each storing exactly `perCreate`: checked every
    // COUNT_EVERY requests (and at the end) against the 201s since the last check.
    let mark = await t.db.rows.counts();
    let createdSinceMark = 0;
    let refusedSinceMark: string[] = [];
    let runs = 0;
    const checkRows = async () => {
      const now = await t.db.rows.counts();
      const expected = { searches: mark.searches + createdSinceMark * perCreate.searches, rounds: mark.rounds + createdSinceMark * perCreate.rounds, trials: mark.trials + createdSinceMark * perCreate.trials };
      expect(now, `rows changed beyond the ${createdSinceMark} accepted submissions; refused mutations since the last check:\n${refusedSinceMark.join("\n")}`).toEqual(expected);
      mark = now;
      createdSinceMark = 0;
      refusedSinceMark = [];
    };
    await fc.assert(
      fc.asyncProperty(request(() => existingId), async (req) => {
        const res = await t.app.inject({
          method: req.method,
          url: req.url,
          ...(req.body !== undefined ? { payload: req.body } : {}),
          headers: { ...(req.contentType ? { "content-type": req.contentType } : {}), ...(req.auth ? { authorization: `Bearer ${KEY}` } : {}) },
        });
        histogram.set(res.statusCode, (histogram.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, `${req.method} ${req.url} ${req.body?.slice(0, 300)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
        expect(res.statusCode).toBeGreaterThanOrEqual(200);
        const body = JSON.parse(res.body) as Record<string, unknown>;
        if (res.statusCode >= 400) expect(typeof body.error, res.body).toBe("string");
        if (req.method === "POST" && req.url === "/v1/searches") {
          if (res.statusCode === 201) createdSinceMark++;
          else refusedSinceMark.push(`${res.statusCode} ${req.body?.slice(0, 200)}`);
        }
        if (++runs % COUNT_EVERY === 0) await checkRows();
      }),
      { numRuns: RUNS, seed: SEED },
    );
    await checkRows();
    const seconds = (performance.now() - started) / 1000;
    const counts = Object.fromEntries([...histogram].sort(([a], [b]) => a - b));
    console.log(`fuzz: ${RUNS} requests in ${seconds.toFixed(1)} s, status histogram ${JSON.stringify(counts)}`);
    expect([...histogram.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
    // The generators must reach both sides: accepted specs and each kind of refusal.
    for (const status of [200, 201, 202, 400, 404]) expect(histogram.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
  }, 300_000);
});
