/**
 * The HTTP API as a Fastify plugin (`apiPlugin`) plus `buildApp`, which wraps it in a
 * Fastify instance. Tests inject requests into `buildApp(...)`; server.ts adds the process
 * bits (env, migrations, listen, signals). Everything the routes need comes in `deps`.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from "fastify";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { serializerCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Db } from "@hps/db";
import { randomUUID } from "node:crypto";
import { bearerAuth, KeyRing } from "./auth.ts";
import { errorHandler } from "./error-handler.ts";
import { MalformedJson } from "./errors.ts";
import { HttpDurations, type QueueDepth } from "./metrics.ts";
import { documentCommonStatuses, swaggerOptions } from "./openapi.ts";
import { chartRoutes } from "./routes/charts.ts";
import type { RateLimitOptions } from "./rate-limit.ts";
import { healthRoutes } from "./routes/health.ts";
import { searchRoutes } from "./routes/searches.ts";
import { roundRoutes } from "./routes/rounds.ts";
import { trialRoutes } from "./routes/trials.ts";
import { registerSecurity } from "./security.ts";
import { datasetRoutes } from "./routes/datasets.ts";
import { modelRoutes } from "./routes/models.ts";
import { DEFAULT_DATASET_LIMIT_MB } from "./csv-upload.ts";
import { coreConfigCheck, type ConfigCheck } from "./spec-checks.ts";
import { zodValidatorCompiler } from "./validation.ts";

/** 1 MiB: a spec is a few KB; choice lists of architectures stay far below this. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ApiDeps {
  db: Db;
  /** The dispatcher's queue depth (BullMQ or in-process); absent → /readyz reports it "not_configured". */
  queue?: QueueDepth;
  /** Bearer keys accepted on mutating routes; with apiKeyHashes empty or absent → no auth. */
  apiKeys?: readonly string[];
  /** SHA-256 (hex) of further write keys, so plain keys need not be configured. */
  apiKeyHashes?: readonly string[];
  /** Read-only keys; when any is set, the /v1 reads need a read or write key. */
  readKeys?: readonly string[];
  /** Browser origins allowed by CORS; empty or absent → CORS closed. */
  corsOrigins?: readonly string[];
  /** Per-IP and per-key limits on mutations; absent → none. */
  rateLimit?: RateLimitOptions;
  /** Largest accepted request body in bytes (default 1 MiB); larger → 413. */
  bodyLimit?: number;
  /** Largest CSV upload in MiB (HPS_DATASET_LIMIT_MB, default 64); larger → 413. */
  datasetLimitMb?: number;
  /** A directory with the dashboard's static build, served at "/" (index.html at "/"). */
  dashboardDir?: string;
  /** Checks each trial config a spec can produce; default: packages/core's dataset and architecture checks. */
  checkConfig?: ConfigCheck;
  /** The per-trial memory budget a spec's largest trial must fit, bytes (default HPS_TRIAL_MEMORY_MB's 1,536 MB). */
  trialMemoryBytes?: number;
}

export interface BuildAppOptions extends ApiDeps {
  /** Fastify/pino logger options; default off (tests). */
  logger?: FastifyServerOptions["logger"];
  /** Client IPs from X-Forwarded-For (behind a reverse proxy); default false. */
  trustProxy?: boolean;
}

export const apiPlugin: FastifyPluginAsync<ApiDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const http = new HttpDurations();

  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: "not_found", requestId: request.id }));

  // JSON only; an empty body is "no body" (so POST .../cancel with a JSON content-type works).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text, refuseProtoKeys));
    } catch (err) {
      done(new MalformedJson((err as Error).message), undefined);
    }
  });

  await registerSecurity(app, { ...(deps.corsOrigins ? { corsOrigins: deps.corsOrigins } : {}), ...(deps.rateLimit ? { rateLimit: deps.rateLimit } : {}) });
  app.addHook("onRequest", bearerAuth(new KeyRing({ apiKeys: deps.apiKeys ?? [], apiKeyHashes: deps.apiKeyHashes ?? [], readKeys: deps.readKeys ?? [] })));
  app.addHook("onResponse", async (request, reply) => {
    http.observe({ method: request.method, route: request.routeOptions.url ?? "unmatched", status: reply.statusCode }, reply.elapsedTime / 1000);
  });

  // Before any route: the hook adds the statuses every route of a kind answers (openapi.ts).
  app.addHook("onRoute", documentCommonStatuses);
  await app.register(fastifySwagger, swaggerOptions);
  await app.register(fastifySwaggerUi, { routePrefix: "/docs", staticCSP: true });

  await app.register(healthRoutes, { db: deps.db, http, ...(deps.queue ? { queue: deps.queue } : {}) });
  const specChecks = { checkConfig: deps.checkConfig ?? coreConfigCheck, ...(deps.trialMemoryBytes ? { trialMemoryBytes: deps.trialMemoryBytes } : {}) };
  await app.register(searchRoutes, { db: deps.db, bodyLimit, specChecks });
  await app.register(roundRoutes, { db: deps.db, specChecks });
  await app.register(trialRoutes, { db: deps.db });
  await app.register(chartRoutes, { db: deps.db });
  await app.register(datasetRoutes, { db: deps.db, limitBytes: (deps.datasetLimitMb ?? DEFAULT_DATASET_LIMIT_MB) * 1024 * 1024 });
  await app.register(modelRoutes, { db: deps.db });
  if (deps.dashboardDir) await app.register(fastifyStatic, { root: deps.dashboardDir, prefix: "/", index: "index.html" });
};

/**
 * JSON.parse reviver: a "__proto__" key anywhere is refused (400). JSON.parse makes it an own
 * property, which later object spreads or zod's record would turn into a prototype or silently
 * drop; no field of the contract is named so. (Also catches escaped spellings like "\u005f_proto__".)
 */
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === "__proto__") throw new Error('key "__proto__" is not allowed');
  return value;
}

/** A Fastify instance serving the API (not listening). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { logger = false, trustProxy = false, ...deps } = options;
  const app = Fastify({
    logger,
    trustProxy,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Request ids in logs, error bodies and the X-Request-Id response header; a proxy's
    // X-Request-Id is kept when it looks like an id (it is echoed, so not arbitrary text).
    requestIdHeader: false,
    // A path that cannot be decoded (e.g. "%80") names nothing: the same answer as an unknown id.
    frameworkErrors: (err, request, reply) => {
      const r = reply as unknown as { code(n: number): { send(body: unknown): void } };
      if (err.code === "FST_ERR_BAD_URL") return void r.code(404).send({ error: "not_found", requestId: request.id });
      return void r.code(400).send({ error: "invalid_request", message: err.message, requestId: request.id });
    },
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
    },
  });
  await app.register(apiPlugin, deps);
  await app.ready();
  return app;
}
