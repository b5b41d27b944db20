/**
 * Stored trial artifacts (model files, parameters) are gzip-compressed (level 1: float32
 * weights compress little, so speed matters more than ratio; compression runs on libuv's
 * thread pool, off the worker's event loop). Reads accept both forms: a gzip stream is
 * recognised by its magic bytes (1f 8b), which no artifact format starts with ("HPSF", "HPSM"),
 * so rows written before compression stay readable.
 */
import { promisify } from "node:util";
import { constants, gunzip, gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export async function packArtifact(data: Uint8Array): Promise<Buffer> {
  return gzipAsync(data, { level: constants.Z_BEST_SPEED });
}

export async function unpackArtifact(stored: Buffer): Promise<Uint8Array> {
  const raw = stored.length >= 2 && stored[0] === 0x1f && stored[1] === 0x8b ? await gunzipAsync(stored) : stored;
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}
