/**
 * The API's reads and writes of searches. Every function takes the Prisma client first
 * and returns contract shapes (ISO dates), so route handlers only parse and map.
 *
 * The API stores a search and reads it; it never plans: a new search is one `searches` row
 * (queued, the parsed spec), and the scheduler creates its rounds, planned counts and trials.
 */
import {
  Objective,
  SearchStatus,
  TrialStatus,
  Pruner,
  type StoredRound,
  type StoredSearchDetail as SearchDetail,
  type StopReason,
  type SearchSpec,
  type SearchSummary,
  type Space,
  type Trial,
  type TrialCounts,
} from "@hps/contracts";
import { prepared, type Conn } from "./connection.ts";
import type { Search as SearchRow, Round as RoundRow, Prisma } from "./generated/client.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import { toTrialDto } from "./trial-dto.ts";

export interface NewSearch {
  /** The parsed spec (defaults filled in). */
  spec: SearchSpec;
}

/** Position in the newest-first list of searches. */
export interface SearchKey {
  createdAt: Date;
  id: string;
}

export interface SearchList {
  items: SearchSummary[];
  /** Key of the last item when another page may follow. */
  next: SearchKey | null;
}

export interface CancelResult {
  search: SearchSummary;
  /** false when the search was already cancelled (a no-op). */
  changed: boolean;
}

/** Stores the search (queued; the scheduler plans it) and returns its detail. */
export async function createSearch(c: Conn, input: NewSearch): Promise<SearchDetail> {
  const { spec } = input;
  const search = await c.prisma.search.create({
    data: { name: spec.name, status: "queued", spec: spec as unknown as Prisma.InputJsonValue },
  });
  const { version: _version, trialsVersion: _trials, ...detail } = (await getSearchDetail(c, search.id))!;
  return detail;
}

/** Newest first, keyset-paginated on (createdAt, id). */
export async function listSearches(c: Conn, opts: { limit: number; after?: SearchKey }): Promise<SearchList> {
  const { limit, after } = opts;
  const rows = await c.prisma.search.findMany({
    where: after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: { id: true, name: true, status: true, createdAt: true, updatedAt: true },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toSummary), next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/**
 * The search's version: changes whenever the search row or any of its trials changes (two
 * trigger-maintained counters, see migration 20261201120000). One primary-key read — what a
 * poll pays before anything else (the API's ETag). null when there is no such search.
 */
export async function searchVersion(c: Conn, id: string): Promise<string | null> {
  const { rows } = await prepared<{ v: string }>(
    c, "searches_version",
    `SELECT s.version::text || '.' || COALESCE(st.version, 0)::text AS v FROM searches s LEFT JOIN search_stats st ON st.search_id = s.id WHERE s.id = $1::uuid`,
    [id],
  );
  return rows[0]?.v ?? null;
}

/**
 * The search with its counts, rounds and best trial; null when there is no such search.
 * Counts come from trial_counts (maintained by the statements that change trials), so the
 * read costs the same at 10 or 100,000 trials. `version` is searchVersion's value, read in
 * the first statement: everything else is read after it, so the content is at least as new
 * as the version (a client may get an extra 200, never a stale body under a newer ETag).
 * `trialsVersion` is the trials' half of it (search_stats.version), what trial-derived
 * summaries are keyed by.
 */
export async function getSearchDetail(c: Conn, id: string): Promise<(SearchDetail & { version: string; trialsVersion: bigint }) | null> {
  const tx = c.prisma;
  {
    const search = await tx.search.findUnique({ where: { id }, include: { stats: true } });
    if (!search) return null;
    const [byRound, rounds, edits] = await Promise.all([
      tx.trialCount.findMany({ where: { searchId: id } }),
      tx.round.findMany({ where: { searchId: id }, orderBy: { index: "asc" } }),
      tx.roundEdit.findMany({ where: { searchId: id }, select: { index: true, epochs: true, pruner: true } }),
    ]);
    const editOf = new Map(edits.map((e) => [e.index, { epochs: e.epochs, pruner: e.pruner === null ? null : Pruner.parse(e.pruner) }]));
    const best = await bestTrial(tx, search);
    const finished = new Map(byRound.map((g) => [g.round, g.completed + g.stopped + g.failed + g.cancelled]));
    return {
      ...toSummary(search),
      spec: search.spec as unknown as SearchSpec,
      counts: countsOf(byRound),
      rounds: rounds.map((r) => toRound(r, finished.get(r.index) ?? 0, editOf.get(r.index) ?? null)),
      best,
      error: search.error,
      version: `${search.version}.${search.stats?.version ?? 0n}`,
      trialsVersion: search.stats?.version ?? 0n,
    };
  }
}

/** A started trial as the search's budget and diagnostics summarise it. */
export interface TrialFact {
  id: string;
  round: number;
  status: TrialStatus;
  stopReason: StopReason | null;
  epochs: number;
  params: Record<string, unknown>;
  objective: number | null;
  diagnostics: string[];
}

/** Every trial of the search that has started (not queued), in (round, index) order. */
export async function trialFacts(c: Conn, searchId: string): Promise<TrialFact[]> {
  const rows = await c.prisma.trial.findMany({
    where: { searchId, status: { not: "queued" } },
    orderBy: [{ round: "asc" }, { index: "asc" }],
    select: { id: true, round: true, status: true, stopReason: true, epochs: true, params: true, objective: true, diagnostics: true },
  });
  return rows.map((r) => ({
    ...r,
    status: r.status as TrialStatus,
    stopReason: (r.stopReason ?? null) as StopReason | null,
    params: (r.params ?? {}) as Record<string, unknown>,
    diagnostics: Array.isArray(r.diagnostics) ? r.diagnostics.filter((d): d is string => typeof d === "string") : [],
  }));
}

/**
 * Cancels a live search in one transaction: the search becomes `cancelled` and its queued
 * trials `cancelled` (stopReason "cancelled"); running trials are stopped by their workers,
 * which poll the search status. Cancelling a cancelled search is a no-op (changed: false);
 * a completed or failed search throws ConflictError; an unknown one NotFoundError.
 */
export async function cancelSearch(c: Conn, id: string): Promise<CancelResult> {
  return c.prisma.$transaction(async (tx) => {
    const now = new Date();
    const { count } = await tx.search.updateMany({
      where: { id, status: { in: ["queued", "running"] } },
      data: { status: "cancelled", finishedAt: now },
    });
    if (count === 1) {
      await tx.trial.updateMany({
        where: { searchId: id, status: "queued" },
        data: { status: "cancelled", stopReason: "cancelled", finishedAt: now },
      });
    }
    const search = await tx.search.findUnique({ where: { id }, select: { id: true, name: true, status: true, createdAt: true, updatedAt: true } });
    if (!search) throw new NotFoundError("search", id);
    if (count === 0 && search.status !== "cancelled") throw new ConflictError(`search ${id} is already ${search.status}`);
    return { search: toSummary(search), changed: count === 1 };
  });
}

/**
 * Deletes a search with its rounds, trials, curves and models (the foreign keys cascade), in one
 * transaction holding the search's row lock. A queued or running search is a ConflictError unless
 * `force` (its workers' later writes then match no row and are dropped); unknown → NotFoundError.
 */
export async function deleteSearch(c: Conn, id: string, opts: { force: boolean }): Promise<void> {
  await c.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM searches WHERE id = ${id}::uuid FOR UPDATE`;
    const s = rows[0];
    if (!s) throw new NotFoundError("search", id);
    if ((s.status === "queued" || s.status === "running") && !opts.force) {
      throw new ConflictError(`search ${id} is ${s.status}: cancel it first, or delete with ?force=true`);
    }
    await tx.search.delete({ where: { id } });
  });
}

/**
 * Searches and trials by status across the whole database (for /metrics). Every status is
 * present. Trials are summed from trial_counts (one row per search and round), not grouped.
 */
export async function statusTotals(c: Conn): Promise<{ searches: Record<SearchStatus, number>; trials: Record<TrialStatus, number> }> {
  const [s, t] = await Promise.all([
    c.prisma.search.groupBy({ by: ["status"], _count: { _all: true } }),
    c.prisma.trialCount.aggregate({ _sum: { queued: true, running: true, completed: true, stopped: true, failed: true, cancelled: true } }),
  ]);
  const searches = Object.fromEntries(SearchStatus.options.map((k) => [k, 0])) as Record<SearchStatus, number>;
  for (const g of s) searches[g.status] = g._count._all;
  const trials = Object.fromEntries(TrialStatus.options.map((k) => [k, t._sum[k] ?? 0])) as Record<TrialStatus, number>;
  return { searches, trials };
}

/**
 * The search's best trial: the scheduler's choice (`bestTrialId`, set from its ranking at the
 * end of every round and when the search finishes); before its first ranking, the completed
 * trial whose stored objective is best (the value the worker computed once).
 */
async function bestTrial(tx: Conn["prisma"], search: SearchRow): Promise<Trial | null> {
  if (search.bestTrialId) {
    const t = await tx.trial.findUnique({ where: { id: search.bestTrialId } });
    if (t) return toTrialDto(t);
  }
  const goal = Objective.parse((search.spec as { objective?: unknown } | null)?.objective ?? {}).goal;
  // The (search_id, objective) index: objective is non-null only for completed trials.
  const top = await tx.trial.findFirst({
    where: { searchId: search.id, status: "completed", objective: { not: null } },
    // Both keys in one direction, so the (search_id, objective, id) index is walked (forward or backward) instead of sorting every trial.
    orderBy: goal === "minimize" ? [{ objective: "asc" }, { id: "asc" }] : [{ objective: "desc" }, { id: "desc" }],
  });
  return top ? toTrialDto(top) : null;
}

function countsOf(rounds: ReadonlyArray<Record<TrialStatus, number>>): TrialCounts {
  const counts: TrialCounts = { queued: 0, running: 0, completed: 0, stopped: 0, failed: 0, cancelled: 0, total: 0 };
  for (const r of rounds) {
    for (const status of TrialStatus.options) {
      counts[status] += r[status];
      counts.total += r[status];
    }
  }
  return counts;
}

function toRound(r: RoundRow, finished: number, edit: StoredRound["edit"]): StoredRound {
  return {
    index: r.index,
    space: r.space as unknown as Space,
    narrowing: (r.narrowing ?? {}) as Record<string, string>,
    trials: r.plannedTrials,
    finished,
    edit,
  };
}

function toSummary(s: Pick<SearchRow, "id" | "name" | "status" | "createdAt" | "updatedAt">): SearchSummary {
  return { id: s.id, name: s.name, status: s.status, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() };
}
