/**
 * The API's reads of trials: keyset-paginated lists in rank or creation order, the
 * "changed since" feed the dashboard polls, and one trial with its learning curve.
 * Functions return null when the search/trial does not exist.
 */
import type { TrialStatus, TrialWithCurve, Trial } from "@hps/contracts";
import type { Conn } from "./connection.ts";
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

/**
 * Position in the changes feed: (changeSeq, id). changeSeq is the search's trial version of
 * the statement that last changed the trial (trial_changes, written by the trials trigger under
 * the search_stats row lock, so versions become visible in order: nothing can commit later with
 * a smaller one).
 * `id` absent = everything after that version; `updatedAfter` (a legacy ISO starting point)
 * additionally filters by updated_at on the first call only.
 */
export interface ChangeKey {
  seq: bigint;
  id?: string;
  updatedAfter?: Date;
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

/**
 * Keyset pages served by index range scans at any depth: created order walks the unique
 * (search_id, round, index) index; rank order walks (search_id, rank, round, index) — ranked
 * rows first (a row comparison is an index condition), then the unranked ones (rank IS NULL,
 * the index's tail). The page's ids come from the index, then one primary-key read fetches them.
 */
export async function listTrials(c: Conn, searchId: string, opts: TrialListOptions): Promise<TrialList | null> {
  if (!(await searchExists(c, searchId))) return null;
  const { limit, order, status, after } = opts;
  const want = limit + 1;
  let keys: KeyRow[];
  if (order === "created") {
    keys = await pageKeys(c, searchId, status, after ? "(round, index) > ($3::int, $4::int)" : "TRUE", after ? [after.round, after.index] : [], "round, index", want);
  } else if (after && after.rank === null) {
    keys = await pageKeys(c, searchId, status, "rank IS NULL AND (round, index) > ($3::int, $4::int)", [after.round, after.index], "round, index", want);
  } else {
    keys = await pageKeys(
      c, searchId, status,
      after ? "rank IS NOT NULL AND (rank, round, index) > ($3::int, $4::int, $5::int)" : "rank IS NOT NULL",
      after ? [after.rank, after.round, after.index] : [], "rank, round, index", want,
    );
    if (keys.length < want) keys = keys.concat(await pageKeys(c, searchId, status, "rank IS NULL", [], "round, index", want - keys.length));
  }
  const rows = await c.prisma.trial.findMany({ where: { id: { in: keys.slice(0, limit).map((k) => k.id) } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const page = keys.slice(0, limit).flatMap((k) => (byId.has(k.id) ? [byId.get(k.id)!] : []));
  const last = keys[limit - 1];
  return {
    items: page.map(toTrialDto),
    next: keys.length > limit && last ? { rank: last.rank, round: last.round, index: last.index } : null,
  };
}

interface KeyRow {
  id: string;
  rank: number | null;
  round: number;
  index: number;
}

/** One index range of a search's trials. `where` uses $3.. for `args`; status is filtered on top. */
async function pageKeys(
  c: Conn, searchId: string, status: TrialStatus | undefined, where: string, args: unknown[], orderBy: string, limit: number,
): Promise<KeyRow[]> {
  const statusParam = `$${3 + args.length}`;
  const { rows } = await c.pool.query<KeyRow>(
    `SELECT id::text AS id, rank, round, index FROM trials
     WHERE search_id = $1::uuid AND ${where} AND (${statusParam}::text IS NULL OR status::text = ${statusParam}::text)
     ORDER BY ${orderBy} LIMIT $2::int`,
    [searchId, limit, ...args, status ?? null],
  );
  return rows;
}

/**
 * Trials changed after `since`, in (changeSeq, id) order. A poller that passes back `last`
 * sees every later change exactly once per change (a trial changed again reappears).
 */
export async function listChangedTrials(
  c: Conn,
  searchId: string,
  opts: { limit: number; since: ChangeKey; status?: TrialStatus },
): Promise<ChangedTrials | null> {
  if (!(await searchExists(c, searchId))) return null;
  const { limit, since, status } = opts;
  // ORDER BY names the table's columns (x.): an unqualified name resolves to the output column
  // first, and change_seq::text AS change_seq sorted the page as text ("100" < "82"), so a page
  // crossing a power of ten jumped its cursor past the smaller versions.
  const { rows: keys } = await c.pool.query<{ id: string; change_seq: string }>(
    `SELECT t.id::text AS id, x.change_seq::text AS change_seq
     FROM trial_changes x JOIN trials t ON t.id = x.trial_id
     WHERE x.search_id = $1::uuid AND (x.change_seq, x.trial_id) > ($2::bigint, COALESCE($3::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
       AND ($4::text IS NULL OR t.status::text = $4::text) AND ($5::timestamptz IS NULL OR t.updated_at > $5::timestamptz)
     ORDER BY x.change_seq, x.trial_id LIMIT $6::int`,
    [searchId, since.seq.toString(), since.id ?? null, status ?? null, since.updatedAfter ?? null, limit],
  );
  const rows = await c.prisma.trial.findMany({ where: { id: { in: keys.map((k) => k.id) } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const last = keys[keys.length - 1];
  return {
    items: keys.flatMap((k) => (byId.has(k.id) ? [toTrialDto(byId.get(k.id)!)] : [])),
    last: last ? { seq: BigInt(last.change_seq), id: last.id } : null,
  };
}

/** Where the changes feed stands now (the search's trial version): poll from here to see only what changes next. */
export async function currentChangeKey(c: Conn, searchId: string): Promise<ChangeKey | null> {
  const { rows } = await c.pool.query<{ version: string }>(`SELECT version::text AS version FROM search_stats WHERE search_id = $1::uuid`, [searchId]);
  return rows[0] ? { seq: BigInt(rows[0].version) } : null;
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
