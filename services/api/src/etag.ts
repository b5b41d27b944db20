/**
 * Conditional GETs for the polling dashboard. Two kinds of ETag:
 *  - a version the database maintains (a search, its chart data): checked before any other
 *    work, so a 304 costs one primary-key read (matchesVersion);
 *  - a hash of the response body (one trial): saves the transfer and the
 *    client's re-render after cheap indexed reads (notModified).
 */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

export function etagOf(body: unknown): string {
  return `W/"${createHash("sha1").update(JSON.stringify(body)).digest("base64url")}"`;
}

/** Sets the ETag; returns true when the request's If-None-Match already names it (caller answers 304). */
export function notModified(request: FastifyRequest, reply: FastifyReply, body: unknown): boolean {
  return matches(request, reply, etagOf(body));
}

function matches(request: FastifyRequest, reply: FastifyReply, tag: string): boolean {
  void reply.header("etag", tag).header("cache-control", "no-cache");
  const inm = request.headers["if-none-match"];
  if (!inm) return false;
  const weak = (t: string) => t.trim().replace(/^W\//, "");
  return inm.trim() === "*" || inm.split(",").some((t) => weak(t) === weak(tag));
}

/** Sets the ETag W/"<version>"; true when the request's If-None-Match already names it (caller answers 304). */
export function matchesVersion(request: FastifyRequest, reply: FastifyReply, version: string): boolean {
  return matches(request, reply, `W/"${version}"`);
}
