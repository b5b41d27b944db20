/**
 * The OpenAPI document, generated from the contracts' zod schemas.
 *
 * OpenAPI 3.1, not 3.0.3: 3.1's schemas are JSON Schema 2020-12, which is zod's own
 * `toJSONSchema` target, so the document is zod's output as is. `null` is a type there: a
 * nullable enum is `anyOf: [{enum}, {type: "null"}]` and admits the null we send, where
 * 3.0's `nullable: true` next to an `enum` without null does not (issue 13), and 3.0's
 * subset also has to drop keywords zod emits (propertyNames, patternProperties). Validators
 * check it with plain JSON Schema 2020-12 (ajv/dist/2020), no OpenAPI dialect.
 *
 * Statuses that every route of a kind can answer (a mutating route's 401/413/415, a route
 * with an :id's 404, everyone's 429 and 500) are added to each route's schema here, once,
 * by an onRoute hook, so a route declares only its own (201, 409, 422, ...) and a route
 * added later is documented — and serialized — with them too.
 */
import type { RouteOptions } from "fastify";
import type { SwaggerOptions, SwaggerTransformObject } from "@fastify/swagger";
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ConflictBody,
  ForbiddenBody,
  ERROR_BODIES,
  InternalErrorBody,
  InvalidRequestBody,
  NotFoundBody,
  PayloadTooLargeBody,
  RateLimitedBody,
  SearchDetail,
  SearchPage,
  SearchSpec,
  SearchSummary,
  Trial,
  TrialPage,
  TrialWithCurve,
  UnauthorizedBody,
  UnprocessableBody,
} from "@hps/contracts";
import { SAFE_METHODS } from "./auth.ts";

export const OPENAPI_VERSION = "3.1.0";

/** DESIGN.md's example spec: what a client sends to POST /v1/searches. */
export const EXAMPLE_SPEC = {
  name: "mnist-lr-l2",
  seed: 7,
  dataset: { name: "mnist", trainSize: 2000, valSize: 500, preprocess: "zero_center" },
  model: { type: "mlp", hidden: [64], activation: "relu", init: "he", batchNorm: false, dropout: 0 },
  training: { epochs: 3, batchSize: 64, optimizer: "momentum", learningRate: 0.01, l2: 0.0001 },
  space: {
    "training.learningRate": { type: "loguniform", low: 0.0001, high: 10 },
    "training.l2": { type: "loguniform", low: 0.000001, high: 0.1 },
    "model.hidden": { type: "choice", values: [[32], [64], [128]] },
  },
  strategy: { type: "random", trials: 20, parallelism: 4 },
  objective: { metric: "valAccuracy", goal: "maximize" },
  earlyStopping: { lossFactor: 3 },
};

type Meta = { id?: string; description?: string; examples?: unknown[] };

/**
 * Named components of the document (clients generate one type per name); schemas not
 * named here are inlined. A schema used both as input and output becomes two components
 * (`SearchSpecInput`: defaults optional; `SearchSpec`: as stored, every default filled in).
 */
export const componentRegistry = z.registry<Meta>();
// The example with its defaults filled in: one example serves both components, and a
// stored spec is also a valid request (the test checks both).
componentRegistry.add(SearchSpec, { id: "SearchSpec", examples: [SearchSpec.parse(EXAMPLE_SPEC)] });
componentRegistry.add(SearchSummary, { id: "SearchSummary" });
componentRegistry.add(SearchDetail, { id: "SearchDetail" });
componentRegistry.add(SearchPage, { id: "SearchPage" });
componentRegistry.add(Trial, { id: "Trial" });
componentRegistry.add(TrialWithCurve, { id: "TrialWithCurve" });
componentRegistry.add(TrialPage, { id: "TrialPage" });
componentRegistry.add(InvalidRequestBody, {
  id: "InvalidRequestError",
  examples: [{ error: "invalid_request", issues: [{ path: "space.training.l2.low", message: "Too small: expected number to be >0" }] }],
});
componentRegistry.add(NotFoundBody, { id: "NotFoundError", examples: [{ error: "not_found" }] });
componentRegistry.add(UnprocessableBody, {
  id: "UnprocessableError",
  examples: [{ error: "unprocessable", issues: [{ path: "dataset.name", message: 'unknown dataset "cifar10"' }] }],
});
componentRegistry.add(UnauthorizedBody, { id: "UnauthorizedError", examples: [{ error: "unauthorized" }] });
componentRegistry.add(ForbiddenBody, { id: "ForbiddenError", examples: [{ error: "forbidden", message: "this key may only read" }] });
componentRegistry.add(ConflictBody, { id: "ConflictError" });
componentRegistry.add(PayloadTooLargeBody, { id: "PayloadTooLargeError" });
componentRegistry.add(RateLimitedBody, { id: "RateLimitedError" });
componentRegistry.add(InternalErrorBody, { id: "InternalError", examples: [{ error: "internal" }] });

const STATUS_DESCRIPTIONS: Record<keyof typeof ERROR_BODIES, string> = {
  400: "Malformed request: the body is not valid JSON or a field or query parameter does not match; `issues` name each one by its dotted path",
  401: "HPS_API_KEYS or HPS_API_KEY_HASHES is set (for reads: HPS_READ_KEYS) and the request has no valid `Authorization: Bearer <key>`",
  403: "A read-only key (HPS_READ_KEYS) on a mutation",
  404: "No such resource (an unknown or malformed id)",
  409: "The request conflicts with the resource's state",
  413: "The body is larger than the configured limit (HPS_BODY_LIMIT, default 1 MiB)",
  415: "The body's content-type is not application/json",
  422: "Well-formed, but impossible to run; every issue at once",
  429: "Too many mutations from this client IP or key (HPS_RATE_LIMIT_*); retry after the Retry-After header's seconds",
  500: "Internal error (details are logged with the request id, never sent)",
};

/** A response entry with its description, in the content form both Fastify and the zod transform understand. */
export function errorResponse(status: keyof typeof ERROR_BODIES): { description: string; content: { "application/json": { schema: z.ZodType } } } {
  return { description: STATUS_DESCRIPTIONS[status], content: { "application/json": { schema: ERROR_BODIES[status] } } };
}

/** onRoute hook: adds the statuses a route can answer because of its kind (see the file comment). */
export function documentCommonStatuses(route: RouteOptions): void {
  const schema = (route.schema ?? {}) as Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> };
  if (schema.hide) return;
  const response: Record<string, unknown> = { ...schema.response };
  const add = (status: keyof typeof ERROR_BODIES) => {
    if (!(status in response)) response[status] = errorResponse(status);
  };
  const mutating = [route.method].flat().some((m) => !SAFE_METHODS.has(m));
  // Any request body goes through the JSON parser: malformed → 400, too large → 413, other content-types → 415.
  if (mutating || schema.body || schema.querystring) add(400);
  if (mutating) {
    add(401);
    add(403);
    add(413);
    add(415);
  }
  // With HPS_READ_KEYS set, the /v1 reads need a key too.
  if (!mutating && route.url.startsWith("/v1/")) add(401);
  if (schema.params) add(404);
  // @fastify/rate-limit's per-route opt-out (`config: { rateLimit: false }`) also takes the 429 out of the document.
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== false) add(429);
  add(500);
  const security = mutating && !schema.security ? { security: [{ bearer: [] }] } : {};
  route.schema = { ...schema, ...security, response };
}

const addComponents = createJsonSchemaTransformObject({ schemaRegistry: componentRegistry });

export const swaggerOptions: SwaggerOptions = {
  openapi: {
    openapi: OPENAPI_VERSION,
    info: { title: "hps API", description: "Hyperparameter search service (DESIGN.md's HTTP contract v1).", version: "1.0.0" },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
  },
  transform: createJsonSchemaTransform({ schemaRegistry: componentRegistry }),
  transformObject: (document) => withoutUnusedSchemas(addComponents(document) as Document) as ReturnType<SwaggerTransformObject>,
};

type Document = { components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;

/**
 * The transform emits an input and an output component for every registered schema; keep
 * only those the paths reach (`SearchSpecInput` is a request body, `TrialInput` is nothing).
 */
function withoutUnusedSchemas(document: Document): Document {
  const schemas = document.components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const name = key === "$ref" && typeof value === "string" ? /^#\/components\/schemas\/(.+)$/.exec(value)?.[1] : undefined;
      if (name !== undefined && !used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      } else visit(value);
    }
  };
  visit({ ...document, components: { ...document.components, schemas: {} } });
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...document.components, schemas: kept } };
}
