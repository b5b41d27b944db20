/**
 * The API's reads of trials: keyset-paginated lists in rank or creation order, the
 * "changed since" feed the dashboard polls, and one trial with its learning curve.
 * Functions return null when the search/trial does not exist.
 */
import type { TrialStatus, TrialWithCurve, Trial } from "@hps/contracts";
import type { Conn } from "./connection.ts";
import type { Prisma } from "./generated/client.ts";
import { toEpochDto, toTrialDto } from "./trial-dto.ts";

export type TrialOrder = "rank" | "created";

/**
 * Position in a trial list. Creation order is (round, index) — the planning order, unique
 * per search; rank order is (rank asc, nulls last) then (round, index).
 */
export interface TrialKey {
  rank: number | null;
  round: number;
  index: number;
}

/** Position in the changes feed: (updatedAt, id); `id` absent = everything after the instant. */
export interface ChangeKey {
  updatedAt: Date;
  id?: string;
}

export interface TrialListOptions {
  limit: number;
  order: TrialOrder;
  status?: TrialStatus;
  after?: TrialKey;
}

export interface TrialList {
  items: Trial[];
  /** Key of the last item when another page may follow. */
  next: TrialKey | null;
}

export interface ChangedTrials {
  items: Trial[];
  /** Key of the last item returned (null when nothing changed): pass it back to continue. */
  last: ChangeKey | null;
}

export async function listTrials(c: Conn, searchId: string, opts: TrialListOptions): Promise<TrialList | null> {
  if (!(await searchExists(c, searchId))) return null;
  const { limit, order, status, after } = opts;
  const where: Prisma.TrialWhereInput = { searchId, ...(status ? { status } : {}) };
  if (after) where.AND = [order === "rank" ? afterInRankOrder(after) : afterInCreatedOrder(after)];
  const rows = await c.prisma.trial.findMany({
    where,
    orderBy: order === "rank" ? [{ rank: { sort: "asc", nulls: "last" } }, { round: "asc" }, { index: "asc" }] : [{ round: "asc" }, { index: "asc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toTrialDto),
    next: rows.length > limit && last ? { rank: last.rank, round: last.round, index: last.index } : null,
  };
}

/** Trials updated strictly after `since`, oldest change first (uses the (search_id, updated_at) index). */
export async function listChangedTrials(
  c: Conn,
  searchId: string,
  opts: { limit: number; since: ChangeKey; status?: TrialStatus },
): Promise<ChangedTrials | null> {
  if (!(await searchExists(c, searchId))) return null;
  const { limit, since, status } = opts;
  const after: Prisma.TrialWhereInput = since.id
    ? { OR: [{ updatedAt: { gt: since.updatedAt } }, { updatedAt: since.updatedAt, id: { gt: since.id } }] }
    : { updatedAt: { gt: since.updatedAt } };
  const rows = await c.prisma.trial.findMany({
    where: { searchId, ...(status ? { status } : {}), AND: [after] },
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  const last = rows[rows.length - 1];
  return { items: rows.map(toTrialDto), last: last ? { updatedAt: last.updatedAt, id: last.id } : null };
}

/** One trial with its learning curve ordered by epoch. */
export async function getTrialWithCurve(c: Conn, id: string): Promise<TrialWithCurve | null> {
  const row = await c.prisma.trial.findUnique({ where: { id }, include: { curve: { orderBy: { epoch: "asc" } } } });
  if (!row) return null;
  return { ...toTrialDto(row), curve: row.curve.map(toEpochDto) };
}

async function searchExists(c: Conn, id: string): Promise<boolean> {
  return (await c.prisma.search.count({ where: { id } })) > 0;
}

function afterInCreatedOrder(k: TrialKey): Prisma.TrialWhereInput {
  return { OR: [{ round: { gt: k.round } }, { round: k.round, index: { gt: k.index } }] };
}

function afterInRankOrder(k: TrialKey): Prisma.TrialWhereInput {
  const sameRankAfter = { rank: k.rank, ...afterInCreatedOrder(k) };
  if (k.rank === null) return sameRankAfter;
  return { OR: [{ rank: { gt: k.rank } }, sameRankAfter, { rank: null }] };
}
