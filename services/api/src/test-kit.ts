/**
 * The API tests' kit: an app built on a fresh test database (real Postgres), whose
 * responses are all validated against its OpenAPI document (testing/checked-app.ts), and a valid
 * spec. Rows are seeded and counted through @hps/db's test kit (`t.db.rows`).
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import type { ApiDeps } from "./app.ts";
import { buildCheckedApp } from "./testing/checked-app.ts";

export interface TestApi {
  app: FastifyInstance;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function createTestApi(deps: Omit<ApiDeps, "db"> = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  // Every response the tests receive is checked against the served OpenAPI document.
  const app = await buildCheckedApp({ db: db.db, ...deps });
  return {
    app,
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

/**
 * The API of a describe block: created before its tests (before the block's own beforeAll
 * hooks registered after this call) and closed after them. The returned object is filled in
 * place, so tests read `t.app` / `t.db` as from createTestApi.
 */
export function useTestApi(deps: Omit<ApiDeps, "db"> = {}): TestApi {
  const t = {} as TestApi;
  beforeAll(async () => {
    Object.assign(t, await createTestApi(deps));
  });
  afterAll(async () => {
    await t.close?.();
  });
  return t;
}

/** POST /v1/searches with `payload` (any shape: bad bodies are what many tests send). */
export const postSearch = (t: Pick<TestApi, "app">, payload: unknown) => t.app.inject({ method: "POST", url: "/v1/searches", payload: payload as object });

/** A small valid random search on the synthetic spiral data. */
export function validSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "spiral-lr",
    seed: 7,
    dataset: { name: "spiral", trainSize: 300, valSize: 60 },
    model: { type: "mlp", hidden: [32], activation: "relu" },
    training: { epochs: 2, batchSize: 32, optimizer: "sgd", learningRate: 0.1 },
    space: {
      "training.learningRate": { type: "loguniform", low: 0.0001, high: 1 },
      "model.hidden": { type: "choice", values: [[16], [32]] },
    },
    strategy: { type: "random", trials: 6, parallelism: 2 },
    objective: { metric: "valAccuracy", goal: "maximize" },
    ...overrides,
  };
}
