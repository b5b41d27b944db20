/**
 * Opaque keyset cursors: base64url of a small JSON array tagged with the list it belongs
 * to, so a cursor of one list (or order) is rejected by another instead of silently
 * returning the wrong page. Clients must treat them as opaque strings.
 */
import type { ChangeKey, DatasetKey, SearchKey, TrialKey, TrialOrder } from "@hps/db";
import { InvalidCursor } from "./errors.ts";

const SEARCHES = "s";
const TRIALS_BY_RANK = "tr";
const TRIALS_BY_CREATED = "tc";
/** The changes feed: (change version, id). "ch" cursors (updated_at-based) are no longer accepted. */
const CHANGES = "cv";
const DATASETS = "d";

export function encodeSearchCursor(k: SearchKey): string {
  return encode([SEARCHES, k.createdAt.toISOString(), k.id]);
}

export function decodeSearchCursor(s: string, param = "cursor"): SearchKey {
  const v = decode(s, param, SEARCHES, 3);
  return { createdAt: date(v[1], param), id: str(v[2], param) };
}

export function encodeDatasetCursor(k: DatasetKey): string {
  return encode([DATASETS, k.createdAt.toISOString(), k.id]);
}

export function decodeDatasetCursor(s: string, param = "cursor"): DatasetKey {
  const v = decode(s, param, DATASETS, 3);
  return { createdAt: date(v[1], param), id: str(v[2], param) };
}

export function encodeTrialCursor(order: TrialOrder, k: TrialKey): string {
  return order === "rank" ? encode([TRIALS_BY_RANK, k.rank, k.round, k.index]) : encode([TRIALS_BY_CREATED, k.round, k.index]);
}

export function decodeTrialCursor(order: TrialOrder, s: string, param = "cursor"): TrialKey {
  if (order === "rank") {
    const v = decode(s, param, TRIALS_BY_RANK, 4);
    return { rank: v[1] === null ? null : int(v[1], param), round: int(v[2], param), index: int(v[3], param) };
  }
  const v = decode(s, param, TRIALS_BY_CREATED, 3);
  return { rank: null, round: int(v[1], param), index: int(v[2], param) };
}

export function encodeChangeCursor(k: ChangeKey): string {
  return encode([CHANGES, k.seq.toString(), k.id ?? null]);
}

/**
 * `changedSince`: a cursor returned by a previous changedSince response (exact: the feed is
 * keyed by the search's trial version), "0" (from the start), or an ISO datetime (trials
 * updated after it — a starting point only; the nextCursor it returns is exact again).
 * "now" is answered by the route (no items, the cursor of the feed's head).
 */
export function decodeChangedSince(s: string, param = "changedSince"): ChangeKey {
  if (s === "0") return { seq: 0n };
  if (/^\d{4}-\d\d-\d\dT/.test(s)) return { seq: 0n, updatedAfter: date(s, param) };
  const v = decode(s, param, CHANGES, 3);
  if (typeof v[1] !== "string" || !/^\d{1,19}$/.test(v[1])) throw bad(param);
  return { seq: BigInt(v[1]), ...(v[2] === null ? {} : { id: str(v[2], param) }) };
}

function encode(v: unknown[]): string {
  return Buffer.from(JSON.stringify(v)).toString("base64url");
}

function decode(s: string, param: string, tag: string, length: number): unknown[] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
  } catch {
    throw bad(param);
  }
  if (!Array.isArray(v) || v.length !== length) throw bad(param);
  if (v[0] !== tag) throw new InvalidCursor(param, `${param} belongs to another list or order`);
  return v;
}

function date(v: unknown, param: string): Date {
  const d = typeof v === "string" ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw bad(param);
  return d;
}

function int(v: unknown, param: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw bad(param);
  return v;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function str(v: unknown, param: string): string {
  if (typeof v !== "string" || !UUID.test(v)) throw bad(param);
  return v;
}

function bad(param: string): InvalidCursor {
  return new InvalidCursor(param, `${param} is not a valid cursor (pass back the value a previous response returned)`);
}
