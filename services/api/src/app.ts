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
import { bearerAuth } from "./auth.ts";
import { errorHandler } from "./error-handler.ts";
import { MalformedJson } from "./errors.ts";
import { HttpDurations, type QueueDepth } from "./metrics.ts";
import { documentCommonStatuses, swaggerOptions } from "./openapi.ts";
import { chartRoutes } from "./routes/charts.ts";
import { healthRoutes } from "./routes/health.ts";
import { searchRoutes } from "./routes/searches.ts";
import { trialRoutes } from "./routes/trials.ts";
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
  /** Bearer keys accepted on mutating routes; empty or absent → no auth. */
  apiKeys?: readonly string[];
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
}

export const apiPlugin: FastifyPluginAsync<ApiDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const http = new HttpDurations();

  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: "not_found" }));

  // JSON only; an empty body is "no body" (so POST .../cancel with a JSON content-type works).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new MalformedJson((err as Error).message), undefined);
    }
  });

  app.addHook("onRequest", bearerAuth(deps.apiKeys ?? []));
  app.addHook("onResponse", async (request, reply) => {
    http.observe({ method: request.method, route: request.routeOptions.url ?? "unmatched", status: reply.statusCode }, reply.elapsedTime / 1000);
  });

  // Before any route: the hook adds the statuses every route of a kind answers (openapi.ts).
  app.addHook("onRoute", documentCommonStatuses);
  await app.register(fastifySwagger, swaggerOptions);
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  await app.register(healthRoutes, { db: deps.db, http, ...(deps.queue ? { queue: deps.queue } : {}) });
  await app.register(searchRoutes, { db: deps.db, bodyLimit, specChecks: { checkConfig: deps.checkConfig ?? coreConfigCheck, ...(deps.trialMemoryBytes ? { trialMemoryBytes: deps.trialMemoryBytes } : {}) } });
  await app.register(trialRoutes, { db: deps.db });
  await app.register(chartRoutes, { db: deps.db });
  await app.register(datasetRoutes, { db: deps.db, limitBytes: (deps.datasetLimitMb ?? DEFAULT_DATASET_LIMIT_MB) * 1024 * 1024 });
  await app.register(modelRoutes, { db: deps.db });
  if (deps.dashboardDir) await app.register(fastifyStatic, { root: deps.dashboardDir, prefix: "/", index: "index.html" });
};

/** A Fastify instance serving the API (not listening). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { logger = false, ...deps } = options;
  const app = Fastify({
    logger,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Request ids in logs; a proxy's X-Request-Id is kept.
    requestIdHeader: "x-request-id",
  });
  await app.register(apiPlugin, deps);
  await app.ready();
  return app;
}
