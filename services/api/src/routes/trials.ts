/** Trial reads: a search's trials (ranked, in creation order, or changed since a point) and one trial with its curve. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { IdParams, TrialListQuery, TrialPage, TrialWithCurve, type TrialPage as TrialPageT } from "@hps/contracts";
import { NotFoundError, type Db } from "@hps/db";
import { decodeChangedSince, decodeTrialCursor, encodeChangeCursor, encodeTrialCursor } from "../cursor.ts";
import { InvalidCursor } from "../errors.ts";
import { matchesVersion, notModified } from "../etag.ts";

const NotModified = z.null().describe("Not modified (If-None-Match matched the ETag)");

export const trialRoutes: FastifyPluginAsyncZod<{ db: Pick<Db, "trials"> }> = async (app, { db }) => {
  app.get(
    "/v1/searches/:id/trials",
    {
      schema: {
        summary: "A search's trials",
        description:
          "order=rank: rank ascending, unranked last, then round and index; order=created: round and index (keyset cursors). " +
          "With changedSince only trials changed after that point are returned, in change order, and nextCursor is always the " +
          "point to poll from next: changedSince=now answers no items and the feed's current head; 0 starts from the beginning; " +
          "a previous nextCursor continues exactly (the feed is keyed by the search's trial version, assigned in commit order, " +
          "so a late commit cannot be skipped; a trial changed again reappears — upsert by id); an ISO datetime starts from " +
          "trials updated after it. ETag = the search's trial version (If-None-Match → 304 after one primary-key read).",
        tags: ["trials"],
        params: IdParams,
        querystring: TrialListQuery,
        response: { 200: TrialPage, 304: NotModified },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { limit, status, order, cursor, changedSince } = request.query;
      let page: TrialPageT;
      // The search's trial version first (one primary-key read): a page is a function of its URL and
      // of the search's trials, so a poll holding the version's ETag gets its 304 without reading a page.
      const version = changedSince === "now" ? null : await db.trials.version(id);
      if (changedSince !== "now") {
        if (version === null) throw new NotFoundError("search", id);
        if (matchesVersion(request, reply, `p${version}`)) return reply.code(304).send(null);
      }
      if (changedSince !== undefined) {
        if (cursor !== undefined) throw new InvalidCursor("cursor", "use either cursor or changedSince, not both");
        if (changedSince === "now") {
          const head = await db.trials.changeHead(id);
          if (!head) throw new NotFoundError("search", id);
          return { items: [], nextCursor: encodeChangeCursor(head) };
        }
        const changed = await db.trials.changed(id, { limit, since: decodeChangedSince(changedSince), ...(status ? { status } : {}) });
        if (!changed) throw new NotFoundError("search", id);
        page = { items: changed.items, nextCursor: changed.last ? encodeChangeCursor(changed.last) : changedSince };
      } else {
        const after = cursor !== undefined ? decodeTrialCursor(order, cursor) : undefined;
        const list = await db.trials.list(id, { limit, order, ...(status ? { status } : {}), ...(after ? { after } : {}) });
        if (!list) throw new NotFoundError("search", id);
        page = { items: list.items, nextCursor: list.next ? encodeTrialCursor(order, list.next) : null };
      }
      return page;
    },
  );

  app.get(
    "/v1/trials/:id",
    {
      schema: {
        summary: "One trial with its learning curve (by epoch)",
        tags: ["trials"],
        params: IdParams,
        response: { 200: TrialWithCurve, 304: NotModified },
      },
    },
    async (request, reply) => {
      const trial = await db.trials.get(request.params.id);
      if (!trial) throw new NotFoundError("trial", request.params.id);
      if (notModified(request, reply, trial)) return reply.code(304).send(null);
      return trial;
    },
  );
};
