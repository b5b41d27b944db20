/**
 * Bearer-key auth for mutating routes. With no keys configured the API is open (the
 * embedded single-user mode); with keys, every POST/PUT/PATCH/DELETE needs
 * `Authorization: Bearer <key>`. Reads stay open for the dashboard.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Methods that need no key (the OpenAPI document marks every other one with `security: bearer` and a 401). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** An onRequest hook; runs before the body is read, so a rejected request costs nothing. */
export function bearerAuth(apiKeys: readonly string[]) {
  // Compare fixed-length digests so neither the key length nor its prefix leaks through timing.
  const digests = apiKeys.filter((k) => k.length > 0).map(digest);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (digests.length === 0 || SAFE_METHODS.has(request.method)) return;
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = digest(match?.[1] ?? "");
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    if (!ok || !match) {
      await reply.code(401).header("www-authenticate", 'Bearer realm="hps"').send({ error: "unauthorized" });
    }
  };
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
