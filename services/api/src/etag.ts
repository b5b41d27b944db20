/**
 * Conditional GETs for the polling dashboard: a weak ETag from a hash of the response
 * body, and 304 Not Modified when the client already holds it. Saves the transfer and
 * the client's re-render; the server still reads Postgres (cheap, indexed queries).
 */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

export function etagOf(body: unknown): string {
  return `W/"${createHash("sha1").update(JSON.stringify(body)).digest("base64url")}"`;
}

/** Sets the ETag; returns true when the request's If-None-Match already names it (caller answers 304). */
export function notModified(request: FastifyRequest, reply: FastifyReply, body: unknown): boolean {
  const tag = etagOf(body);
  void reply.header("etag", tag).header("cache-control", "no-cache");
  const inm = request.headers["if-none-match"];
  if (!inm) return false;
  const weak = (t: string) => t.trim().replace(/^W\//, "");
  return inm.trim() === "*" || inm.split(",").some((t) => weak(t) === weak(tag));
}
