/**
 * Bearer-key auth. Write keys (plain `apiKeys` or their SHA-256 `apiKeyHashes`, so plain keys
 * need not sit in the environment) are needed for every POST/PUT/PATCH/DELETE once any is
 * configured; read keys, when configured, are needed for the API's reads (`/v1/…` GETs; a write
 * key reads too). Health probes, /metrics, /docs and the dashboard's static files stay open.
 * With no keys at all the API is open (the embedded single-user mode).
 *
 * A request's key is known afterwards only by its id (`keyIdOf`: the first 12 hex digits of its
 * SHA-256), which the audit log and the per-key rate limit use; the key itself is never kept.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Methods that need no key (the OpenAPI document marks every other one with `security: bearer` and a 401). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

export interface KeyOptions {
  apiKeys?: readonly string[];
  /** SHA-256 of write keys, hex (64 digits, either case). */
  apiKeyHashes?: readonly string[];
  /** Keys that may only read; when any is set, reads need a key too. */
  readKeys?: readonly string[];
}

export type KeyScope = "write" | "read";

declare module "fastify" {
  interface FastifyRequest {
    /** The id of the bearer key the request authenticated with (null: none or no auth configured). */
    keyId: string | null;
  }
}

const sha256 = (s: string): Buffer => createHash("sha256").update(s).digest();

/** A key's public id: the first 12 hex digits of its SHA-256 (what logs and limits may show). */
export const keyIdOf = (digest: Buffer): string => digest.toString("hex").slice(0, 12);

/** The configured keys as SHA-256 digests with their scope. */
export class KeyRing {
  private readonly entries: Array<{ digest: Buffer; scope: KeyScope }>;
  readonly writeRequired: boolean;
  readonly readRequired: boolean;

  constructor(o: KeyOptions) {
    const write = [...(o.apiKeys ?? []).filter((k) => k.length > 0).map(sha256), ...(o.apiKeyHashes ?? []).map(fromHex)];
    const read = (o.readKeys ?? []).filter((k) => k.length > 0).map(sha256);
    this.entries = [...write.map((digest) => ({ digest, scope: "write" as const })), ...read.map((digest) => ({ digest, scope: "read" as const }))];
    this.writeRequired = write.length > 0;
    this.readRequired = read.length > 0;
  }

  /** The scope and id of a presented key, or null. Compares every entry (fixed-length digests) so timing leaks nothing. */
  identify(key: string): { scope: KeyScope; keyId: string } | null {
    const given = sha256(key);
    let found: KeyScope | null = null;
    for (const e of this.entries) {
      if (timingSafeEqual(e.digest, given) && found !== "write") found = e.scope;
    }
    return found ? { scope: found, keyId: keyIdOf(given) } : null;
  }
}

function fromHex(h: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new RangeError(`an API key hash must be 64 hex digits (SHA-256), got ${JSON.stringify(h.slice(0, 80))}`);
  return Buffer.from(h, "hex");
}

/** Routes that need a read key when read keys are configured. */
const isApiRead = (url: string): boolean => url.startsWith("/v1/");

/** An onRequest hook; runs before the body is read, so a rejected request costs nothing. */
export function bearerAuth(ring: KeyRing) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    request.keyId = null;
    const write = !SAFE_METHODS.has(request.method);
    const needed = write ? ring.writeRequired : ring.readRequired && request.method !== "OPTIONS" && isApiRead(request.url);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    const who = match ? ring.identify(match[1]!) : null;
    if (who) request.keyId = who.keyId;
    if (!needed) return;
    if (!who) {
      await reply.code(401).header("www-authenticate", 'Bearer realm="hps"').send({ error: "unauthorized", message: "a valid bearer key is required", requestId: request.id });
    } else if (write && who.scope !== "write") {
      await reply.code(403).send({ error: "forbidden", message: "this key may only read", requestId: request.id });
    }
  };
}
