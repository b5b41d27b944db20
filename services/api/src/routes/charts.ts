/**
 * The dashboard's chart data: GET /v1/searches/:id/points (one point per trial, columnar) and
 * GET /v1/searches/:id/analysis (parallel coordinates and parameter importance, computed here).
 * Both are ETagged by the search's trial version, checked before any other work.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ChartPoints, IdParams, SearchAnalysis } from "@hps/contracts";
import { NotFoundError, type Db } from "@hps/db";
import { ChartCache, type ChartData } from "../chart-cache.ts";
import { matchesVersion } from "../etag.ts";

const NotModified = z.null().describe("Not modified (If-None-Match matched the ETag)");

export const chartRoutes: FastifyPluginAsyncZod<{ db: Pick<Db, "trials"> }> = async (app, { db }) => {
  const cache = new ChartCache(db);

  const load = async (id: string, request: Parameters<typeof matchesVersion>[0], reply: Parameters<typeof matchesVersion>[1]) => {
    const version = await db.trials.version(id);
    if (version === null) throw new NotFoundError("search", id);
    if (matchesVersion(request, reply, `t${version}`)) return null;
    const data = await cache.get(id, version);
    if (!data) throw new NotFoundError("search", id);
    void reply.header("etag", `W/"t${data.version}"`);
    return data;
  };

  // Both bodies come from one cached build per version; a string body skips the per-request
  // serialiser because the cache already built it from the contract's type.
  const route = (url: string, summary: string, body: typeof ChartPoints | typeof SearchAnalysis, pick: (data: ChartData) => string) =>
    app.get(url, { schema: { summary, tags: ["charts"], params: IdParams, response: { 200: body, 304: NotModified } } }, async (request, reply) => {
      const data = await load(request.params.id, request, reply);
      return data ? reply.type("application/json").send(pick(data) as never) : reply.code(304).send(null);
    });

  route(
    "/v1/searches/:id/points",
    "Every trial as chart columns (objective, params, round, status, finish order, train/val accuracy); ETag = the search's trial version",
    ChartPoints,
    (d) => d.pointsJson,
  );
  route(
    "/v1/searches/:id/analysis",
    "Parallel coordinates and parameter importance, computed by the server; ETag = the search's trial version",
    SearchAnalysis,
    (d) => d.analysisJson,
  );
};
