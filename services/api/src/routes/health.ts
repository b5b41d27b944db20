/** Liveness, readiness and the Prometheus scrape. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "@hps/db";
import { renderMetrics, withTimeout, type HttpDurations, type QueueDepth } from "../metrics.ts";

export interface HealthRoutesOptions {
  db: Pick<Db, "ping" | "searches">;
  queue?: QueueDepth;
  http: HttpDurations;
  /** How long a readiness probe waits for each dependency (ms). */
  probeTimeoutMs?: number;
}

const Check = z.string().describe('"ok", "not_configured", or "error: <reason>"');
const Readiness = z.object({ status: z.enum(["ready", "unavailable"]), checks: z.object({ postgres: Check, queue: Check }) });

export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, { db, queue, http, probeTimeoutMs = 2000 }) => {
  app.get(
    "/healthz",
    { schema: { summary: "The process is alive", tags: ["ops"], response: { 200: z.object({ status: z.literal("ok") }) } } },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: { summary: "Postgres answers SELECT 1 and the queue is reachable", tags: ["ops"], response: { 200: Readiness, 503: Readiness } },
    },
    async (_request, reply) => {
      const [postgres, queueCheck] = await Promise.all([
        probe(() => db.ping(), probeTimeoutMs),
        queue ? probe(() => (queue.ping ? queue.ping() : queue.depth()), probeTimeoutMs) : Promise.resolve("not_configured"),
      ]);
      const ready = postgres === "ok" && (queueCheck === "ok" || queueCheck === "not_configured");
      return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", checks: { postgres, queue: queueCheck } });
    },
  );

  app.get(
    "/metrics",
        {
      schema: {
        summary: "Prometheus metrics",
        tags: ["ops"],
        // Content form, not `produces`: `produces` would also declare the JSON error bodies as text/plain.
        response: { 200: { description: "Prometheus text exposition format 0.0.4", content: { "text/plain": { schema: z.string() } } } },
      },
    },
    async (_request, reply) => {
      const text = await renderMetrics(db, http, queue, probeTimeoutMs);
      return reply.type("text/plain; version=0.0.4; charset=utf-8").send(text);
    },
  );
};

async function probe(fn: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  try {
    await withTimeout(fn(), timeoutMs);
    return "ok";
  } catch (err) {
    return `error: ${(err as Error).message.split("\n")[0]}`;
  }
}
