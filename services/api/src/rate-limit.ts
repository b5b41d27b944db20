/**
 * Rate limits on mutations (POST/PUT/PATCH/DELETE), per client IP and per bearer key, with
 * @fastify/rate-limit's counters (in this process's memory: with several API replicas each
 * counts on its own). Over either limit → 429 `{error: "rate_limited"}` with Retry-After
 * (seconds). Reads are not limited: the dashboard polls them, with ETags.
 * Runs before auth, so failed key guesses count against the IP too.
 */
import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createHash } from "node:crypto";
import { keyIdOf } from "./auth.ts";

export interface RateLimitOptions {
  /** Window of both counters, ms. */
  windowMs: number;
  /** Mutations per window per client IP (0 = no limit). */
  perIp: number;
  /** Mutations per window per bearer key (0 = no limit; requests without a key only count per IP). */
  perKey: number;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function registerRateLimits(app: FastifyInstance, o: RateLimitOptions): Promise<void> {
  await app.register(fastifyRateLimit, { global: false });
  const byIp = o.perIp > 0 ? app.createRateLimit({ max: o.perIp, timeWindow: o.windowMs, keyGenerator: (r) => `ip:${r.ip}` }) : null;
  const byKey = o.perKey > 0 ? app.createRateLimit({ max: o.perKey, timeWindow: o.windowMs, keyGenerator: (r) => `key:${bearerKeyId(r)}` }) : null;

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(request.method)) return;
    for (const limiter of [byIp, byKey]) {
      if (!limiter || (limiter === byKey && bearerKeyId(request) === null)) continue;
      const r = await limiter(request);
      if (!r.isAllowed && r.isExceeded) {
        await reply
          .code(429)
          .header("retry-after", String(r.ttlInSeconds))
          .send({ error: "rate_limited", message: `more than ${r.max} mutations in ${o.windowMs / 1000} s; retry after ${r.ttlInSeconds} s`, requestId: request.id });
        return reply;
      }
    }
  });
}

/** The presented bearer key's id (whether or not it is valid: a flood of bad keys is limited per key too). */
function bearerKeyId(request: FastifyRequest): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  return m ? keyIdOf(createHash("sha256").update(m[1]!).digest()) : null;
}
