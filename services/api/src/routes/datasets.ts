/** /v1/datasets: upload a CSV (streamed), list, read, delete. */
import type { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Dataset, DatasetPage, DatasetUploadQuery, IdParams, PageQuery } from "@hps/contracts";
import { NotFoundError, type Db } from "@hps/db";
import { decodeDatasetCursor, encodeDatasetCursor } from "../cursor.ts";
import { errorResponse } from "../openapi.ts";
import { DatasetTooLarge, parseCsvUpload } from "../csv-upload.ts";

export interface DatasetRoutesOptions {
  db: Pick<Db, "datasets">;
  /** Largest CSV accepted, bytes (HPS_DATASET_LIMIT_MB). */
  limitBytes: number;
}

export const datasetRoutes: FastifyPluginAsyncZod<DatasetRoutesOptions> = async (app, { db, limitBytes }) => {
  // The CSV reaches the handler as the raw stream (this plugin's routes only): csv-parse reads it
  // as it arrives, and the limit is counted there. A declared length over the limit is refused at once.
  app.addContentTypeParser(["text/csv", "application/csv"], (request, payload, done) => {
    const declared = Number(request.headers["content-length"] ?? NaN);
    if (declared > limitBytes) return done(new DatasetTooLarge(limitBytes), undefined);
    done(null, payload);
  });

  app.post(
    "/v1/datasets",
    {
      schema: {
        summary: "Upload a dataset: a CSV (text/csv) with a header row, numeric feature columns and one label column",
        description:
          "Streamed through a CSV parser; bodies up to HPS_DATASET_LIMIT_MB (default 64) MiB, 413 past it. Bad input → 400 whose " +
          "issues[].path names the row and column (\"row 7.petal_width\"). The same content uploaded again returns the stored dataset (200).",
        tags: ["datasets"],
        security: [{ bearer: [] }],
        querystring: DatasetUploadQuery,
        response: { 200: Dataset, 201: Dataset },
      },
    },
    async (request, reply) => {
      const { name, label, shape } = request.query;
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== "function") {
        // Another parser (JSON) took the body: the error handler's unsupported-media-type answer (415).
        throw Object.assign(new Error("send the CSV with content-type text/csv"), { code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", statusCode: 415 });
      }
      const parsed = await parseCsvUpload(body, { label, shape: shape ?? null, limitBytes });
      const { table } = parsed;
      const { dataset, created } = await db.datasets.create({
        name, labelColumn: label, rows: table.rows, features: table.features, labels: table.labels, shape: table.shape,
        sha256: parsed.sha256, bytes: parsed.bytes, content: parsed.content,
      });
      return reply.code(created ? 201 : 200).header("location", `/v1/datasets/${dataset.id}`).send(dataset);
    },
  );

  app.get(
    "/v1/datasets",
    { schema: { summary: "List datasets, newest first", tags: ["datasets"], querystring: PageQuery, response: { 200: DatasetPage } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await db.datasets.list({ limit, ...(cursor ? { after: decodeDatasetCursor(cursor) } : {}) });
      return { items: page.items, nextCursor: page.next ? encodeDatasetCursor(page.next) : null };
    },
  );

  app.get(
    "/v1/datasets/:id",
    { schema: { summary: "One dataset", tags: ["datasets"], params: IdParams, response: { 200: Dataset } } },
    async (request) => {
      const d = await db.datasets.get(request.params.id);
      if (!d) throw new NotFoundError("dataset", request.params.id);
      return d;
    },
  );

  app.delete(
    "/v1/datasets/:id",
    {
      schema: {
        summary: "Delete a dataset (409 while a queued or running search uses it)",
        tags: ["datasets"],
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 204: z.null().describe("Deleted"), 409: errorResponse(409) },
      },
    },
    async (request, reply) => {
      await db.datasets.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
