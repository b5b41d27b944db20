/**
 * The served OpenAPI document: valid by swagger-parser (the standard validator), every
 * operation documents the statuses its kind answers, nullable fields admit null, and
 * every example in it matches its own schema and is accepted by the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@hps/db";
import { SearchSpec, Trial, type TrialWithCurve } from "@hps/contracts";
import type { FastifyInstance } from "fastify";
import { EXAMPLE_SPEC, OPENAPI_VERSION } from "./openapi.ts";
import { API_VALIDATOR_OPTIONS, buildCheckedApp } from "./testing/checked-app.ts";
import { ResponseValidator } from "./testing/openapi-validator.ts";

type Operation = { parameters?: { in: string }[]; security?: unknown; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> };

describe("the OpenAPI document", () => {
  let db: Db;
  let app: FastifyInstance;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };
  let validator: ResponseValidator;
  beforeAll(async () => {
    // The document needs no database: a client that is never queried.
    db = createDb({ url: "postgresql://postgres@127.0.0.1:1/unused" });
    app = await buildCheckedApp({ db });
    doc = (await app.inject({ url: "/docs/json" })).json();
    validator = await ResponseValidator.fromDocument(doc, API_VALIDATOR_OPTIONS);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

  it("is a valid OpenAPI 3.1 document (swagger-parser) served next to Swagger UI", async () => {
    expect(doc.openapi).toBe(OPENAPI_VERSION);
    expect(OPENAPI_VERSION).toMatch(/^3\.1\./);
    // fromDocument ran swagger-parser's validate; a second explicit call keeps the intent visible.
    await expect(ResponseValidator.fromDocument({ ...doc, paths: { "/x": { get: { responses: { 200: { content: "no" } } } } } })).rejects.toThrow();
    expect((await app.inject({ url: "/docs" })).body).toContain("Swagger UI");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/healthz", "/metrics", "/readyz", "/v1/searches", "/v1/searches/{id}", "/v1/searches/{id}/cancel", "/v1/searches/{id}/trials", "/v1/trials/{id}"]),
    );
    const post = doc.paths["/v1/searches"]!.post!;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(["201", "400", "401", "413", "415", "422", "429", "500"]));
    expect(doc.paths["/v1/searches/{id}/cancel"]!.post!.responses).toHaveProperty("409");
  });

  it("every operation documents the statuses its kind can answer, each with its error body", () => {
    const ref = (op: Operation, status: string) => op.responses[status]?.content?.["application/json"]?.schema.$ref;
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(ref(op, "500"), where).toBe("#/components/schemas/InternalError");
      expect(ref(op, "429"), where).toBe("#/components/schemas/RateLimitedError");
      if (method !== "get") {
        expect(op.security, where).toEqual([{ bearer: [] }]);
        expect([ref(op, "400"), ref(op, "401"), ref(op, "413"), ref(op, "415")], where).toEqual(
          ["InvalidRequestError", "UnauthorizedError", "PayloadTooLargeError", "InvalidRequestError"].map((n) => `#/components/schemas/${n}`),
        );
      }
      if (op.parameters?.some((p) => p.in === "path")) expect(ref(op, "404"), where).toBe("#/components/schemas/NotFoundError");
      if (op.parameters?.some((p) => p.in === "query")) expect(ref(op, "400"), where).toBe("#/components/schemas/InvalidRequestError");
    }
  });

  it("nullable enums and objects admit null: the three responses of issue 13", () => {
    const trial: Trial = {
      id: "6f1c1a3e-2b0c-4d1e-9f00-0a1b2c3d4e5f",
      searchId: "7a2d2b4f-3c1d-4e2f-8a11-1b2c3d4e5f60",
      round: 0,
      index: 0,
      params: { "training.learningRate": 0.01 },
      status: "completed",
      stopReason: null,
      rank: 1,
      attempts: 1,
      workerId: "w1",
      metrics: { initialLoss: 2.3, finalLoss: 0.4, trainAccuracy: 0.9, valAccuracy: 0.85, valLoss: null, epochs: 3 },
      diagnostics: [],
      error: null,
      createdAt: "2026-12-01T09:00:00.000Z",
      startedAt: "2026-12-01T09:00:01.000Z",
      finishedAt: null,
    };
    expect(Trial.parse(trial)).toEqual(trial);
    const get = (url: string, body: unknown) => validator.check({ method: "GET", url, status: 200, contentType: "application/json; charset=utf-8", body: JSON.stringify(body) });
    const withCurve: TrialWithCurve = { ...trial, curve: [{ epoch: 1, trainLoss: 1, valLoss: null, trainAccuracy: 0.5, valAccuracy: null }] };
    expect(get(`/v1/trials/${trial.id}`, withCurve)).toEqual([]);
    expect(get(`/v1/searches/${trial.searchId}/trials`, { items: [trial, { ...trial, stopReason: "loss_exploded", metrics: null, rank: null }], nextCursor: null })).toEqual([]);
    const best = validator.dereferenced as { components: { schemas: Record<string, object> } };
    expect(validator.schemaProblems((best.components.schemas.SearchDetail as { properties: { best: object } }).properties.best, trial)).toEqual([]);
    expect(validator.schemaProblems((best.components.schemas.SearchDetail as { properties: { best: object } }).properties.best, null)).toEqual([]);
    // ...and only null: a stop reason outside the enum is still rejected.
    expect(get(`/v1/trials/${trial.id}`, { ...withCurve, stopReason: "bored" })).not.toEqual([]);
  });

  it("every example in the document matches its schema; the spec example is accepted by POST /v1/searches's contract", () => {
    const found: { at: string; schema: object; example: unknown }[] = [];
    const walk = (node: unknown, at: string): void => {
      if (node === null || typeof node !== "object") return;
      const { examples } = node as { examples?: unknown };
      if (Array.isArray(examples) && "type" in node) for (const example of examples) found.push({ at, schema: node, example });
      for (const [key, value] of Object.entries(node)) if (key !== "examples") walk(value, `${at}/${key}`);
    };
    walk(validator.dereferenced, "#");
    expect(found.map((f) => f.at)).toEqual(expect.arrayContaining(["#/components/schemas/SearchSpecInput", "#/components/schemas/NotFoundError"]));
    for (const { at, schema, example } of found) expect(validator.schemaProblems(schema, example), at).toEqual([]);
    expect(SearchSpec.safeParse(EXAMPLE_SPEC).success).toBe(true);
  });
});
