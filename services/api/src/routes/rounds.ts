/** /v1/searches/:id/rounds: the user's own next round. The handler parses, stores through one db call, maps. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { AppendedRound, IdParams, RoundEdit } from "@hps/contracts";
import type { Db } from "@hps/db";
import { errorResponse } from "../openapi.ts";
import { resolveRoundEdit } from "../round-edit-checks.ts";
import type { SpecCheckOptions } from "../spec-checks.ts";

export interface RoundRoutesOptions {
  db: Pick<Db, "rounds" | "wakeups" | "datasets">;
  specChecks: SpecCheckOptions;
}

const SUMMARY =
  "Append a round edited by the user after the search's current round (and after rounds appended before). " +
  "Its space is the previous round's with the body's dimensions written over; trials, epochs and pruner default to the strategy's and training.epochs. " +
  "It replaces the automatic round of its index (it is not narrowed; the spec's later rounds, if any, narrow from it). " +
  "A queued or running search takes it after its current round; a completed one runs again (status running) and completes again after it, re-ranked. " +
  "Cancelled or failed → 409. Validated like a spec: 400 with the field's path (unknown config path, a value invalid for its field), 422 when infeasible (grid size, architecture, memory budget); nothing is stored then. " +
  "Concurrent edits are appended one after the other.";

export const roundRoutes: FastifyPluginAsyncZod<RoundRoutesOptions> = async (app, { db, specChecks }) => {
  app.post(
    "/v1/searches/:id/rounds",
    {
      schema: {
        summary: SUMMARY,
        tags: ["searches"],
        params: IdParams,
        body: RoundEdit,
        response: { 201: AppendedRound, 409: errorResponse(409), 422: errorResponse(422) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { edit, status } = await db.rounds.append(id, (ctx) => resolveRoundEdit(request.body, ctx, { db, specChecks }));
      await db.wakeups.notify(id).catch((err: unknown) => request.log.warn({ err }, "scheduler wake-up failed (it polls)"));
      return reply.code(201).header("location", `/v1/searches/${id}`).send({ ...edit, searchId: id, searchStatus: status });
    },
  );
};
