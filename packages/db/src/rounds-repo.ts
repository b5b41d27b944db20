/**
 * Rounds the user appends (POST /v1/searches/:id/rounds). The API stores an edit; the
 * scheduler, which owns rounds, starts round `index` from it when the round before it is
 * final. This file is SQL only: what an edit resolves to (defaults, the merged space, the
 * checks) is the caller's `resolve`.
 */
import { Pruner, SearchStatus, Space, StoredRoundEdit } from "@hps/contracts";
import type { Conn } from "./connection.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import type { Prisma } from "./generated/client.ts";

type Tx = Prisma.TransactionClient;

/** What `resolve` is given: the search as stored and the place the new round takes. */
export interface RoundEditContext {
  /** The stored spec (the caller parses it). */
  spec: unknown;
  status: SearchStatus;
  /** The new round's index: after the current round and after every edit appended before. */
  index: number;
  /** The space of round `index - 1` as it is (or, for an edit not started yet, will be). */
  previousSpace: unknown;
}

export type ResolvedRoundEdit = Omit<StoredRoundEdit, "index">;

export interface AppendResult {
  edit: StoredRoundEdit;
  /** The search's status after the edit: a completed search is running again. */
  status: SearchStatus;
  /** True when the search was completed and now runs again. */
  reopened: boolean;
}

/** A short transaction: one row lock, two small reads, the caller's checks, one insert. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

/**
 * Appends the user's round, in one transaction holding the search's row lock (FOR NO KEY UPDATE, as the scheduler's, see reconcile-repo.ts;
 * waiting for a scheduler pass or another edit to commit): concurrent edits are serialised
 * and each takes the next index, so the round sequence stays gapless and in order. The
 * UNIQUE (search_id, index) is the backstop (a violation → ConflictError). Cancelled or
 * failed → ConflictError; unknown → NotFoundError; whatever `resolve` throws rolls back
 * with nothing stored. A completed search goes back to running (finished_at cleared).
 */
export async function appendRoundEdit(
  c: Conn,
  searchId: string,
  resolve: (ctx: RoundEditContext) => Promise<ResolvedRoundEdit> | ResolvedRoundEdit,
): Promise<AppendResult> {
  try {
    return await c.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ status: SearchStatus; spec: unknown }>>`
        SELECT status::text AS status, spec FROM searches WHERE id = ${searchId}::uuid FOR NO KEY UPDATE`;
      const s = rows[0];
      if (!s) throw new NotFoundError("search", searchId);
      if (s.status === "cancelled" || s.status === "failed") throw new ConflictError(`search ${searchId} is ${s.status}: only a queued, running or completed search takes a new round`);
      const [round] = await tx.$queryRaw<Array<{ index: number; space: unknown }>>`
        SELECT index, space FROM rounds WHERE search_id = ${searchId}::uuid ORDER BY index DESC LIMIT 1`;
      const [last] = await tx.$queryRaw<Array<{ index: number; space: unknown }>>`
        SELECT index, space FROM round_edits WHERE search_id = ${searchId}::uuid ORDER BY index DESC LIMIT 1`;
      // A queued search has no round yet: its round 0 will be the spec's.
      const current = round ?? { index: 0, space: (s.spec as { space?: unknown }).space ?? {} };
      const previous = last && last.index >= current.index ? last : current;
      const index = previous.index + 1;
      const r = await resolve({ spec: s.spec, status: s.status, index, previousSpace: previous.space });
      await tx.$executeRaw`
        INSERT INTO round_edits (search_id, index, space, trials, epochs, pruner, reasons)
        VALUES (${searchId}::uuid, ${index}, ${JSON.stringify(r.space)}::jsonb, ${r.trials}, ${r.epochs},
                ${r.pruner === null ? null : JSON.stringify(r.pruner)}::jsonb, ${JSON.stringify(r.reasons)}::jsonb)`;
      const reopened = s.status === "completed";
      if (reopened) await tx.search.update({ where: { id: searchId }, data: { status: "running", finishedAt: null, error: null } });
      return { edit: { index, ...r }, status: reopened ? "running" : s.status, reopened };
    }, TX_OPTIONS);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`search ${searchId}: another round was appended at the same place; retry`);
    throw err;
  }
}

/** Every round the user appended to the search, by index (the scheduler's view, inside its lock). */
export async function roundEditsOf(tx: Tx, searchId: string): Promise<StoredRoundEdit[]> {
  const rows = await tx.$queryRaw<Array<{ index: number; space: unknown; trials: number; epochs: number; pruner: unknown; reasons: unknown }>>`
    SELECT index, space, trials, epochs, pruner, reasons FROM round_edits WHERE search_id = ${searchId}::uuid ORDER BY index`;
  return rows.map((r) => ({
    index: r.index,
    space: Space.parse(r.space),
    trials: r.trials,
    epochs: r.epochs,
    pruner: r.pruner === null ? null : Pruner.parse(r.pruner),
    reasons: r.reasons as Record<string, string>,
  }));
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } }; message?: unknown } | null;
  if (!e) return false;
  if (e.code === "P2002" || e.code === "23505") return true;
  if (e.meta?.code === "23505" || e.meta?.driverAdapterError?.cause?.originalCode === "23505") return true;
  return typeof e.message === "string" && e.message.includes("round_edits_search_id_index_key");
}
