/**
 * Models out: a trial's model file, predictions with it, and the ensemble of a search's best
 * trials on its validation split. Inference runs here, on the request's thread: the body limit
 * and MAX_PREDICT_ROWS bound one request's work (a few ms for the models hps trains on tables).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { EnsembleRequest, EnsembleResponse, IdParams, PredictRequest, PredictResponse, TrialConfig } from "@hps/contracts";
import { ensembleAccuracy, loadModel, loadRawDataset } from "@hps/core";
import { ConflictError, NotFoundError, type Db } from "@hps/db";
import { errorResponse } from "../openapi.ts";
import { uploadedSource } from "../dataset-meta.ts";

/** trial_artifacts.format of core's model file (the worker writes it; see docs/model-format.md). */
export const MODEL_FORMAT = "hps-model";

export interface ModelRoutesOptions {
  db: Pick<Db, "models" | "datasets" | "searches">;
}

export const modelRoutes: FastifyPluginAsyncZod<ModelRoutesOptions> = async (app, { db }) => {
  const modelOf = async (trialId: string) => {
    const a = await db.models.get(trialId);
    if (!a || a.format !== MODEL_FORMAT) throw new NotFoundError("model of trial", trialId);
    return a.data;
  };

  app.get(
    "/v1/trials/:id/model",
    {
      schema: {
        summary: "The trial's trained model: one self-describing binary (docs/model-format.md), application/octet-stream",
        tags: ["models"],
        params: IdParams,
        response: { 200: z.any().describe("application/octet-stream: the HPSF model file") },
      },
    },
    async (request, reply) => {
      const data = await modelOf(request.params.id);
      return reply
        .type("application/octet-stream")
        .header("content-disposition", `attachment; filename="${request.params.id}.hpsm"`)
        .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    },
  );

  app.post(
    "/v1/trials/:id/predict",
    {
      schema: {
        summary: "Predict classes of raw feature rows (as in the CSV) with the trial's model; 400 names the first row of the wrong width",
        tags: ["models"],
        security: [{ bearer: [] }],
        params: IdParams,
        body: PredictRequest,
        response: { 200: PredictResponse },
      },
    },
    async (request) => {
      const model = loadModel(await modelOf(request.params.id));
      const { probabilities, predictions } = model.predict(request.body.inputs); // ModelInputError → 400 inputs.<row>
      const k = model.classes;
      return {
        predictions: Array.from(predictions),
        labels: Array.from(predictions, (p) => model.labels[p]!),
        probabilities: Array.from(predictions, (_, i) => Array.from(probabilities.subarray(i * k, (i + 1) * k))),
      };
    },
  );

  app.post(
    "/v1/searches/:id/ensemble",
    {
      schema: {
        summary: "Accuracy on the validation split of the mean predicted probabilities of the search's top-k trials (that kept a model)",
        description: "The split is the best member's (its dataset config and seed); each member applies its own stored preprocessing. 409 when no trial kept a model yet.",
        tags: ["models"],
        security: [{ bearer: [] }],
        params: IdParams,
        body: EnsembleRequest,
        response: { 200: EnsembleResponse, 409: errorResponse(409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const k = request.body?.k ?? 5;
      if (!(await db.searches.get(id))) throw new NotFoundError("search", id);
      const top = await db.models.top(id, k, MODEL_FORMAT);
      if (top.length === 0) throw new ConflictError(`no trial of search ${id} has a model yet (trials keep one when they finish ranked)`);
      const config = TrialConfig.parse(top[0]!.config);
      const raw = loadRawDataset(config.dataset, config.seed, await uploadedSource(db, config.dataset));
      const members = top.map((m) => loadModel(m.data));
      const { accuracy, memberAccuracies } = ensembleAccuracy(members, raw.valX, raw.valY);
      return { k, members: top.map((m) => m.trialId), valAccuracy: accuracy, bestSingleValAccuracy: Math.max(...memberAccuracies) };
    },
  );
};
