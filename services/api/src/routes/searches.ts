/** /v1/searches: create, list, read, cancel. Handlers parse (by schema), call one function, map. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DeleteSearchQuery, IdParams, PageQuery, SearchDetail, SearchPage, SearchSpec, SearchSummary } from "@hps/contracts";
import { NotFoundError, type Db } from "@hps/db";
import { decodeSearchCursor, encodeSearchCursor } from "../cursor.ts";
import { matchesVersion } from "../etag.ts";
import { errorResponse } from "../openapi.ts";
import { SearchSummaries, withSummary } from "../search-summary.ts";
import { VersionedCache } from "../versioned-cache.ts";
import { uploadedMeta } from "../dataset-meta.ts";
import { checkSpec, type SpecCheckOptions } from "../spec-checks.ts";

export interface SearchRoutesOptions {
  db: Pick<Db, "searches" | "wakeups" | "datasets" | "rounds">;
  bodyLimit: number;
  specChecks: SpecCheckOptions;
}

const NotModified = z.null().describe("Not modified (If-None-Match matched the ETag)");

export const searchRoutes: FastifyPluginAsyncZod<SearchRoutesOptions> = async (app, { db, bodyLimit, specChecks }) => {
  const summaries = new SearchSummaries(db);
  /** The detail's body per search version: 50 pollers without an ETag cost one version read each, not five queries and a serialisation. */
  const bodies = new VersionedCache<string>(16);

  app.post(
    "/v1/searches",
    {
      bodyLimit,
      schema: {
        summary: "Submit a search",
        tags: ["searches"],
        body: SearchSpec,
        response: { 201: SearchDetail, 422: errorResponse(422) },
      },
    },
    async (request, reply) => {
      const spec = request.body;
      const datasetMeta = await uploadedMeta(db, spec.dataset);
      checkSpec(spec, { ...specChecks, ...(datasetMeta ? { datasetMeta } : {}) }); // 422s; the scheduler plans the stored search
      const detail = withSummary(await db.searches.create({ spec }), []); // nothing has run yet
      await db.wakeups.notify(detail.id).catch((err: unknown) => request.log.warn({ err }, "scheduler wake-up failed (it polls)"));
      return reply.code(201).header("location", `/v1/searches/${detail.id}`).send(detail);
    },
  );

  app.get(
    "/v1/searches",
    {
      schema: { summary: "List searches, newest first", tags: ["searches"], querystring: PageQuery, response: { 200: SearchPage } },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await db.searches.list({ limit, ...(cursor ? { after: decodeSearchCursor(cursor) } : {}) });
      return { items: page.items, nextCursor: page.next ? encodeSearchCursor(page.next) : null };
    },
  );

  app.get(
    "/v1/searches/:id",
    {
      schema: {
        summary: "A search with its trial counts, rounds, best trial, budget (epochs run and saved) and search-level diagnostics (ETag = the search's version, If-None-Match → 304 after one primary-key read)",
        tags: ["searches"],
        params: IdParams,
        response: { 200: SearchDetail, 304: NotModified },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      // The version first (one primary-key read): a poll that holds it gets its 304 without any other query.
      const version = await db.searches.version(id);
      if (version === null) throw new NotFoundError("search", id);
      if (matchesVersion(request, reply, version)) return reply.code(304).send(null);
      const body = await bodies.get(id, versionOrder(version), async () => {
        const found = await db.searches.get(id);
        if (!found) throw new NotFoundError("search", id);
        const { version: _read, trialsVersion, ...stored } = found;
        return JSON.stringify(SearchDetail.parse(await summaries.detail(stored, trialsVersion)));
      });
      // A string body skips the per-request serialiser: it was built from the contract's type once per version.
      return reply.type("application/json").send(body as unknown as SearchDetail);
    },
  );

  app.post(
    "/v1/searches/:id/cancel",
    {
      schema: {
        summary: "Cancel a search: queued trials become cancelled, running ones stop. Cancelling a cancelled search is a no-op (202); a completed or failed one is a 409.",
        tags: ["searches"],
        params: IdParams,
        response: { 202: SearchSummary, 409: errorResponse(409) },
      },
    },
    async (request, reply) => {
      const { search, changed } = await db.searches.cancel(request.params.id);
      if (changed) await db.wakeups.notify(search.id).catch((err: unknown) => request.log.warn({ err }, "scheduler wake-up failed (it polls)"));
      return reply.code(202).send(search);
    },
  );

  app.delete(
    "/v1/searches/:id",
    {
      schema: {
        summary: "Delete a search with its trials, curves and models. A queued or running search is a 409 unless ?force=true (then it is deleted at once; its running trials' results are dropped).",
        tags: ["searches"],
        params: IdParams,
        querystring: DeleteSearchQuery,
        response: { 204: z.null().describe("Deleted"), 409: errorResponse(409) },
      },
    },
    async (request, reply) => {
      await db.searches.delete(request.params.id, { force: request.query.force === "true" });
      summaries.forget(request.params.id);
      bodies.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
};

/**
 * The search version "<searches.version>.<search_stats.version>" as one number that orders
 * readings in time: both counters only grow, so a later reading has the larger sum.
 */
function versionOrder(version: string): bigint {
  const [row, trials] = version.split(".");
  return BigInt(row ?? 0) + BigInt(trials ?? 0);
}
