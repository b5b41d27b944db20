/**
 * The scheduler's (reconciler's) database operations. Everything that changes a live
 * search happens inside `withSearchLock`, a transaction holding that search's row lock
 * taken with `FOR NO KEY UPDATE SKIP LOCKED`: two scheduler replicas never work the same search
 * at once and never wait on each other (the one that finds the row locked skips it; the
 * holder re-reads after every wake-up anyway). NO KEY, because a worker's write to the
 * search's trials takes the foreign key's KEY SHARE lock on this row (inside the trials trigger,
 * after it has locked search_stats): with FOR UPDATE the scheduler, waiting on a trial row, and two
 * workers deadlocked (40P01, seen in bench:dispatch on a quiet machine: a trial retried, one failed).
 *
 * This file is SQL only; what to plan, enqueue, rank or narrow is the scheduler's.
 */
import { FINAL_TRIAL_STATUSES, type StoredRoundEdit, type Assignment, type FinalTrialStatus, type Space, type StopReason, type TrialConfig } from "@hps/contracts";
import type { Conn } from "./connection.ts";
import { roundEditsOf } from "./rounds-repo.ts";
import type { Prisma } from "./generated/client.ts";

type Tx = Prisma.TransactionClient;

/** The row lock is held for the whole callback; keep it short (a few queries and one queue call). */
const TX_OPTIONS = { maxWait: 10_000, timeout: 60_000 } as const;

export interface LockedSearch {
  id: string;
  status: "queued" | "running";
  spec: unknown;
  plannedTrials: number;
  /** When the search was submitted (its time budget runs from here). */
  createdAt: Date;
  /** Failed trials of the whole search. */
  failedTrials: number;
}

export interface RoundInfo {
  id: string;
  index: number;
  space: unknown;
  plannedTrials: number;
  finishedAt: Date | null;
}

/** Trial counts of one round. `inFlight` = queued or running AND handed to the queue. */
export interface RoundCounts {
  total: number;
  open: number;
  inFlight: number;
}

export interface NewTrial {
  round: number;
  index: number;
  params: Assignment;
  config: TrialConfig;
}

/** A final trial, as ranking and narrowing need it. Metrics are null when never written. */
export interface FinalTrial {
  id: string;
  round: number;
  index: number;
  status: FinalTrialStatus;
  /** Why a stopped trial stopped (diverged ones are evidence for narrowing), else null. */
  stopReason: StopReason | null;
  params: Record<string, unknown>;
  /** The objective value the worker stored (null unless completed with a finite value). */
  objective: number | null;
  initialLoss: number | null;
  finalLoss: number | null;
  trainAccuracy: number | null;
  valAccuracy: number | null;
  valLoss: number | null;
  epochs: number;
}

/** Ids of searches the reconciler must look at (queued or running), oldest first. */
export async function liveSearchIds(c: Conn): Promise<string[]> {
  const rows = await c.prisma.search.findMany({
    where: { status: { in: ["queued", "running"] } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => r.id);
}

/**
 * Queued trials of cancelled searches become `cancelled` (the API does this on cancel
 * too; this is the idempotent catch-up). Returns the number of trials changed.
 */
export async function cancelQueuedTrialsOfCancelledSearches(c: Conn): Promise<number> {
  return c.prisma.$executeRaw`
    UPDATE trials t SET status = 'cancelled', stop_reason = 'cancelled', finished_at = now(), updated_at = now()
    FROM searches s
    WHERE s.id = t.search_id AND s.status = 'cancelled' AND t.status = 'queued'`;
}

/**
 * Runs `fn` in a transaction holding the search's row lock. Returns null (without
 * calling `fn`) when the search is not live or another replica holds the lock.
 * One statement takes the lock and reads what a pass needs: the search, its current
 * (highest) round and that round's trial counts (`repo.round`, `repo.counts`).
 */
export async function withSearchLock<T>(
  c: Conn,
  searchId: string,
  fn: (repo: LockedSearchRepo) => Promise<T>,
): Promise<{ value: T } | null> {
  return c.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{
      id: string; status: "queued" | "running"; spec: unknown; planned_trials: number; created_at: Date; failed: number;
      round_id: string | null; round_index: number | null; round_space: unknown; round_planned: number | null; round_finished_at: Date | null;
      total: number | null; open: number | null; in_flight: number | null;
    }>>`
      WITH s AS (
        SELECT id, status, spec, planned_trials, created_at FROM searches
        WHERE id = ${searchId}::uuid AND status IN ('queued', 'running')
        FOR NO KEY UPDATE SKIP LOCKED
      ), r AS (
        SELECT r.id, r.index, r.space, r.planned_trials, r.finished_at FROM rounds r JOIN s ON r.search_id = s.id
        ORDER BY r.index DESC LIMIT 1
      )
      SELECT s.id, s.status::text AS status, s.spec, s.planned_trials, s.created_at,
             (SELECT count(*)::int FROM trials f WHERE f.search_id = s.id AND f.status = 'failed') AS failed,
             r.id AS round_id, r.index AS round_index, r.space AS round_space, r.planned_trials AS round_planned,
             r.finished_at AS round_finished_at, c.total, c.open, c.in_flight
      FROM s LEFT JOIN r ON true
      LEFT JOIN LATERAL (
        SELECT count(*)::int AS total,
               count(*) FILTER (WHERE t.status IN ('queued', 'running'))::int AS open,
               count(*) FILTER (WHERE t.status IN ('queued', 'running') AND t.enqueued_at IS NOT NULL)::int AS in_flight
        FROM trials t WHERE t.search_id = s.id AND t.round = r.index
      ) c ON r.id IS NOT NULL`;
    const row = rows[0];
    if (!row) return null;
    const search: LockedSearch = { id: row.id, status: row.status, spec: row.spec, plannedTrials: row.planned_trials, createdAt: row.created_at, failedTrials: row.failed };
    const round: RoundInfo | null =
      row.round_id === null
        ? null
        : { id: row.round_id, index: row.round_index!, space: row.round_space, plannedTrials: row.round_planned!, finishedAt: row.round_finished_at };
    const counts: RoundCounts = { total: row.total ?? 0, open: row.open ?? 0, inFlight: row.in_flight ?? 0 };
    return { value: await fn(new LockedSearchRepo(tx, search, round, counts)) };
  }, TX_OPTIONS);
}

/** Operations on one search whose row lock the current transaction holds. */
export class LockedSearchRepo {
  constructor(
    private readonly tx: Tx,
    readonly search: LockedSearch,
    /** The round with the highest index when the lock was taken (null: the search has none). */
    readonly round: RoundInfo | null,
    /** That round's trial counts when the lock was taken (zeros without a round). */
    readonly counts: RoundCounts,
  ) {}

  async markRunning(): Promise<void> {
    await this.tx.search.update({ where: { id: this.search.id }, data: { status: "running" } });
  }

  /** The round with the highest index (the one being worked on), or null if the search has none. */
  async currentRound(): Promise<RoundInfo | null> {
    return this.tx.round.findFirst({
      where: { searchId: this.search.id },
      orderBy: { index: "desc" },
      select: { id: true, index: true, space: true, plannedTrials: true, finishedAt: true },
    });
  }

  /** The rounds the user appended (POST /v1/searches/:id/rounds), by index; each replaces the automatic round of its index. */
  async roundEdits(): Promise<StoredRoundEdit[]> {
    return roundEditsOf(this.tx, this.search.id);
  }

  /** Inserts trials; rows whose (search, round, index) exists already are skipped. Returns rows inserted. */
  async insertTrials(trials: readonly NewTrial[]): Promise<number> {
    if (trials.length === 0) return 0;
    // One statement with one JSON parameter, however many trials (a round may hold 10 000).
    const json = JSON.stringify(trials.map((t) => ({ r: t.round, i: t.index, p: t.params, c: t.config })));
    return this.tx.$executeRaw`
      INSERT INTO trials (id, search_id, round, index, params, config)
      SELECT gen_random_uuid(), ${this.search.id}::uuid, x.r, x.i, x.p, x.c
      FROM jsonb_to_recordset(${json}::jsonb) AS x(r int, i int, p jsonb, c jsonb)
      ON CONFLICT (search_id, round, index) DO NOTHING`;
  }

  async setRoundPlanned(roundId: string, plannedTrials: number): Promise<void> {
    await this.tx.round.update({ where: { id: roundId }, data: { plannedTrials } });
  }

  /**
   * Marks the next `limit` queued, never-enqueued trials of `round` (by index) as enqueued
   * now, in one UPDATE, and returns their ids in index order. The caller enqueues them
   * before COMMIT: if that fails the transaction rolls back and they stay unenqueued; a
   * crash after the enqueue and before COMMIT leaves them unmarked, and the next pass
   * enqueues the same job ids again (no-ops). Their row locks also hold a worker's claim
   * until COMMIT.
   */
  async markNextEnqueued(round: number, limit: number, at: Date = new Date()): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await this.tx.$queryRaw<Array<{ id: string; index: number }>>`
      UPDATE trials SET enqueued_at = ${at}
      WHERE id IN (
        SELECT id FROM trials
        WHERE search_id = ${this.search.id}::uuid AND round = ${round} AND status = 'queued' AND enqueued_at IS NULL
        ORDER BY index LIMIT ${limit})
      RETURNING id, index`;
    return rows.sort((a, b) => a.index - b.index).map((r) => r.id);
  }

  /**
   * Trials whose job may be lost: handed to the queue before `enqueuedBefore` and still
   * queued — or running without any write since `runningIdleBefore` (null: no running ones).
   */
  // Inclusive bounds: timestamps have millisecond precision, and a write in the same millisecond as
  // the bound must count as before it (re-enqueuing is idempotent; missing a trial is not).
  async enqueuedOpen(opts: { enqueuedBefore: Date; runningIdleBefore: Date | null; limit: number }): Promise<string[]> {
    const rows = await this.tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM trials
      WHERE search_id = ${this.search.id}::uuid AND enqueued_at <= ${opts.enqueuedBefore}
        AND (status = 'queued' OR (status = 'running' AND updated_at <= ${opts.runningIdleBefore}))
      ORDER BY round, index LIMIT ${opts.limit}`;
    return rows.map((r) => r.id);
  }

  /** Sets enqueued_at (the caller's clock, like `enqueuedBefore`) in one UPDATE for the batch. */
  async markEnqueued(ids: readonly string[], at: Date = new Date()): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.$executeRaw`UPDATE trials SET enqueued_at = ${at} WHERE id = ANY(${ids as string[]}::uuid[])`;
  }

  /** Every final trial of the search (all rounds). */
  async finalTrials(): Promise<FinalTrial[]> {
    return this.tx.$queryRaw<FinalTrial[]>`
      SELECT id, round, index, status::text AS status, stop_reason::text AS "stopReason", params, initial_loss AS "initialLoss", final_loss AS "finalLoss",
             train_accuracy AS "trainAccuracy", val_accuracy AS "valAccuracy", val_loss AS "valLoss", epochs, objective
      FROM trials
      WHERE search_id = ${this.search.id}::uuid AND status::text = ANY(${FINAL_TRIAL_STATUSES})
      ORDER BY round, index`;
  }

  /** Writes each trial's rank in one UPDATE; rows whose rank is unchanged are not touched. */
  async writeRanks(ranks: ReadonlyArray<{ id: string; rank: number }>): Promise<void> {
    if (ranks.length === 0) return;
    const ids = ranks.map((r) => r.id);
    const rk = ranks.map((r) => r.rank);
    await this.tx.$executeRaw`
      UPDATE trials t SET rank = v.rank, updated_at = now()
      FROM unnest(${ids}::uuid[], ${rk}::int[]) AS v(id, rank)
      WHERE t.id = v.id AND t.rank IS DISTINCT FROM v.rank`;
  }

  /** The search's best trial so far (the scheduler's ranking decides it; the API shows it). */
  async setBest(bestTrialId: string | null): Promise<void> {
    await this.tx.search.update({ where: { id: this.search.id }, data: { bestTrialId } });
  }

  /**
   * Drops the stored models of the search's trials except the `keep` best ranked and any trial
   * some trial's config fine-tunes from (model.initFrom, in any search). Returns how many went.
   */
  async pruneModels(keep: number): Promise<number> {
    return this.tx.$executeRaw`
      DELETE FROM trial_artifacts a USING trials t
      WHERE a.trial_id = t.id AND t.search_id = ${this.search.id}::uuid
        AND (t.rank IS NULL OR t.rank > ${keep})
        AND NOT EXISTS (SELECT 1 FROM trials o WHERE o.config->'model'->'initFrom'->>'trialId' = t.id::text)`;
  }

  /** Cancels the search's queued trials (running ones end by themselves); returns how many. */
  async cancelQueued(stopReason: "cancelled" | "timeout"): Promise<number> {
    return this.tx.$executeRaw`
      UPDATE trials SET status = 'cancelled', stop_reason = ${stopReason}, finished_at = now(), updated_at = now()
      WHERE search_id = ${this.search.id}::uuid AND status = 'queued'`;
  }

  /** The most common error among the search's failed trials, with how many trials had it. */
  async commonError(): Promise<{ error: string; count: number } | null> {
    const rows = await this.tx.$queryRaw<Array<{ error: string | null; n: number }>>`
      SELECT error, count(*)::int AS n FROM trials
      WHERE search_id = ${this.search.id}::uuid AND status = 'failed'
      GROUP BY error ORDER BY n DESC, error LIMIT 1`;
    const r = rows[0];
    return r ? { error: r.error ?? "(no error message)", count: r.n } : null;
  }

  async finishRound(roundId: string): Promise<void> {
    await this.tx.round.updateMany({ where: { id: roundId, finishedAt: null }, data: { finishedAt: new Date() } });
  }

  /** Inserts the next round (a no-op if a row with that index exists). */
  async insertRound(r: { index: number; space: Space; narrowing: Record<string, string>; plannedTrials: number }): Promise<void> {
    await this.tx.round.createMany({
      data: [{ searchId: this.search.id, index: r.index, space: r.space as Prisma.InputJsonValue, narrowing: r.narrowing, plannedTrials: r.plannedTrials }],
      skipDuplicates: true,
    });
  }

  /** The search's planned trial count (set when round 0 is planned; refined when a narrowed round holds fewer trials). */
  async setPlannedTrials(plannedTrials: number): Promise<void> {
    if (plannedTrials === this.search.plannedTrials) return;
    await this.tx.search.update({ where: { id: this.search.id }, data: { plannedTrials } });
  }

  async complete(bestTrialId: string | null): Promise<void> {
    await this.tx.search.update({
      where: { id: this.search.id },
      data: { status: "completed", bestTrialId, finishedAt: new Date() },
    });
  }

  async fail(error: string): Promise<void> {
    await this.tx.search.update({ where: { id: this.search.id }, data: { status: "failed", error, finishedAt: new Date() } });
  }
}
