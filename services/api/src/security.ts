/**
 * The API's self-protection, registered once by the app plugin: security headers with a
 * Content-Security-Policy the dashboard runs under (helmet), CORS closed unless origins are
 * listed, per-IP and per-key rate limits on mutations, request ids echoed in a response header,
 * and one structured audit log line per mutation.
 */
import fastifyCors from "@fastify/cors";
import fastifyHelmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";
import { registerRateLimits, type RateLimitOptions } from "./rate-limit.ts";

export interface SecurityOptions {
  /** Origins allowed to call the API from a browser (exact, e.g. "https://ui.example.com"); empty → no CORS headers at all. */
  corsOrigins?: readonly string[];
  /** Absent → no rate limits (tests, embedded use). */
  rateLimit?: RateLimitOptions;
}

/**
 * The dashboard (services/dashboard/public) is plain same-origin HTML, CSS and ES modules: no
 * inline script or style, no eval, styles set through CSSOM, the favicon a data: URL. /docs
 * (Swagger UI) sets its own policy (@fastify/swagger-ui's staticCSP).
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function registerSecurity(app: FastifyInstance, o: SecurityOptions): Promise<void> {
  // Not upgrade-insecure-requests: the API is often reached over plain http (localhost, a cluster network).
  await app.register(fastifyHelmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES } });
  await app.register(fastifyCors, {
    origin: o.corsOrigins && o.corsOrigins.length > 0 ? [...o.corsOrigins] : false,
    methods: ["GET", "HEAD", "POST", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "if-none-match", "x-request-id"],
    exposedHeaders: ["etag", "location", "retry-after", "x-request-id"],
    maxAge: 600,
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  if (o.rateLimit) await registerRateLimits(app, o.rateLimit);

  // Who (key id, never the key), what, on which search, and the outcome — also for refused attempts.
  app.addHook("onResponse", async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    const params = request.params as { id?: unknown } | undefined;
    const fromParams = typeof params?.id === "string" && UUID.test(params.id) ? params.id : null;
    const location = reply.getHeader("location");
    const fromLocation = typeof location === "string" ? (/\/v1\/searches\/([0-9a-f-]{36})$/i.exec(location)?.[1] ?? null) : null;
    request.log.info(
      {
        audit: {
          keyId: request.keyId ?? null,
          action: `${request.method} ${request.routeOptions.url ?? "unmatched"}`,
          searchId: fromParams ?? fromLocation,
          status: reply.statusCode,
          ip: request.ip,
        },
      },
      "audit",
    );
  });
}
