/**
 * The reconciler: turns one live search's Postgres state into the next step —
 * plan the current round, keep `parallelism` trials in flight, rank a finished round
 * and start the next one (narrowed), or finish the search. Every step runs inside
 * `withSearchLock` (the search's row lock, SKIP LOCKED), so replicas never work the
 * same search at once, and every step is idempotent, so a crash at any point is
 * repaired by the next pass:
 *  - planning inserts with ON CONFLICT DO NOTHING on (search, round, index), from a
 *    deterministic `planTrials`, so a re-plan produces the same rows or nothing. Random and
 *    grid rounds are planned in chunks (the first just fills the slots, then PLAN_CHUNK; the next
 *    one once fewer than `parallelism` planned trials wait for the queue); TPE rounds as slots free up (at most `parallelism`
 *    open trials), each trial from the round's trials final at the time — its params are
 *    fixed in its row, so a restarted or duplicated scheduler never plans it again;
 *  - enqueueing uses jobId = trial id: a crash after `enqueue` and before the
 *    `enqueued_at` UPDATE commits re-enqueues the same job ids, a no-op in the queue;
 *  - advancing a round inserts the next round row by its unique (search, index).
 *
 * Rounds the user appends (POST /v1/searches/:id/rounds, stored as round edits by the API):
 * an edit at index i REPLACES the automatic round i — when round i − 1 is final, round i is
 * inserted from the edit (its space, trials, epochs, pruner, reasons) and not narrowed; the
 * spec's rounds after i, if any, narrow from it as usual. Past the spec's last round an edit
 * simply adds a round (a completed search, which the API set running again, runs it and
 * completes again). Because the round row is inserted by its unique index and the edit is
 * read from Postgres, a restarted scheduler starts the edited round exactly once.
 */
import {
  baseConfigOf,
  SearchSpec,
  Space,
  trialConfigFor,
  type Assignment,
  type TrialJob,
} from "@hps/contracts";
import type { Db, FinalTrial, LockedSearchRepo, RoundInfo } from "@hps/db";
import type { StoredRoundEdit } from "@hps/contracts";
import { objectiveValue, planNextSpace, planSearch, planTrials, rankTrials, resolveRounds, roundSize, type RankedTrial, type ResolvedRound } from "@hps/search";

/** What the reconciler needs of a queue: hand over trial jobs; a job id seen before is a no-op. */
export interface TrialEnqueuer {
  enqueue(jobs: readonly TrialJob[]): Promise<unknown>;
}

export interface ReconcilerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** 15 s: lost jobs are restored within 30 s of Redis losing them (one check per period, each trial idle a period). */
export const DEFAULT_LOST_JOB_AFTER_MS = 15_000;

export interface ReconcilerOptions {
  db: Pick<Db, "scheduler">;
  dispatcher: TrialEnqueuer;
  logger: ReconcilerLogger;
  /**
   * A queued trial handed to the queue longer ago than this is enqueued again (same job
   * id: a no-op while its job exists; restores it after the queue lost it, e.g. Redis was
   * flushed). Checked at most once per this interval per search. Default DEFAULT_LOST_JOB_AFTER_MS.
   * (On its first pass over a search every in-flight trial is enqueued again: see restoreLostJobs.)
   */
  lostJobAfterMs?: number;
}

/** Trials of a random or grid round planned per transition (see plan). */
export const PLAN_CHUNK = 500;
/** Least size of a random or grid round's first chunk (which is otherwise its `parallelism`). */
export const FIRST_CHUNK_MIN = 64;

/** What one pass over a search did (for logs and tests). */
export interface ReconcileResult {
  planned: number;
  enqueued: number;
  reenqueued: number;
  advanced: boolean;
  finished: "completed" | "failed" | null;
}

export class Reconciler {
  private readonly db: Pick<Db, "scheduler">;
  private readonly dispatcher: TrialEnqueuer;
  private readonly logger: ReconcilerLogger;
  private readonly lostJobAfterMs: number;
  /** Parsed specs by search id (a search's spec never changes). */
  private readonly specs = new Map<string, SearchSpec>();
  private readonly lastLostCheck = new Map<string, number>();
  private readonly startedAt = new Date();

  constructor(opts: ReconcilerOptions) {
    this.db = opts.db;
    this.dispatcher = opts.dispatcher;
    this.logger = opts.logger;
    this.lostJobAfterMs = opts.lostJobAfterMs ?? DEFAULT_LOST_JOB_AFTER_MS;
    if (!(this.lostJobAfterMs > 0)) throw new RangeError(`lostJobAfterMs must be > 0 (got ${opts.lostJobAfterMs})`);
  }

  /**
   * One pass over one search: a few short transactions, each one state transition under the
   * search's row lock (plan a round; advance to the next round; enqueue; finish). Trials are
   * committed BEFORE any job for them is enqueued — a worker must find the row it is sent for.
   * Null when the search is not live or another replica holds it.
   */
  async reconcile(searchId: string): Promise<ReconcileResult | null> {
    const result: ReconcileResult = { planned: 0, enqueued: 0, reenqueued: 0, advanced: false, finished: null };
    // plan → enqueue, or finish round → plan next → enqueue: at most 3 transitions; 4 leaves room.
    for (let i = 0; i < 4; i++) {
      const r = await this.db.scheduler.withSearchLock(searchId, (repo) => this.step(repo, result));
      if (!r) return i === 0 ? null : result; // not live, or another replica holds it (memory pruned by `retain`)
      if (!r.value) break;
    }
    if (result.finished) this.forget(searchId);
    return result;
  }

  /** Drops what this reconciler remembers about searches not in `liveIds`. */
  retain(liveIds: readonly string[]): void {
    const live = new Set(liveIds);
    for (const id of [...this.specs.keys(), ...this.lastLostCheck.keys()]) if (!live.has(id)) this.forget(id);
  }

  private forget(searchId: string): void {
    this.specs.delete(searchId);
    this.lastLostCheck.delete(searchId);
  }

  private specOf(repo: LockedSearchRepo): SearchSpec {
    let spec = this.specs.get(repo.search.id);
    if (!spec) {
      spec = SearchSpec.parse(repo.search.spec);
      this.specs.set(repo.search.id, spec);
    }
    return spec;
  }

  /**
   * One transition; adds what it did to `result`; true when another transition may follow.
   * A search that cannot be planned (its stored spec or space is invalid for the planner —
   * deterministic, so retrying would fail forever) is marked failed with the reason.
   */
  private async step(repo: LockedSearchRepo, result: ReconcileResult): Promise<boolean> {
    try {
      return await this.transition(repo, result);
    } catch (err) {
      if (!(err instanceof PlanningError)) throw err;
      await repo.fail(err.message);
      this.logger.warn({ searchId: repo.search.id, error: err.message }, "search failed: it cannot be planned");
      result.finished = "failed";
      return false;
    }
  }

  private async transition(repo: LockedSearchRepo, result: ReconcileResult): Promise<boolean> {
    const spec = planning("the stored spec is invalid", () => this.specOf(repo));
    const searchId = repo.search.id;
    if (repo.search.status === "queued") await repo.markRunning();

    let round = repo.round;
    let counts = repo.counts;
    if (!round) {
      // The scheduler owns rounds and planned counts: the API stores only the search.
      const plan = planning("round 0 cannot be planned", () => planSearch(spec));
      await repo.insertRound({ index: 0, space: spec.space, narrowing: {}, plannedTrials: plan.trialsPerRound });
      // Edits appended while the search was queued count too.
      await repo.setPlannedTrials(plan.trialsPerRound + trialsOfRounds(spec, await repo.roundEdits(), 1, plan.trialsPerRound));
      round = (await repo.currentRound())!;
      counts = { total: 0, open: 0, inFlight: 0 };
    }

    const spent = await this.budgetSpent(repo, spec, round, counts.open);
    if (spent) {
      result.finished = spent === "waiting" ? null : spent;
      return false;
    }

    if (counts.total === 0) {
      result.planned += await this.plan(repo, spec, round, 0);
      return true; // commit the trials; enqueue them in the next transaction
    }
    const roundTotal = round.plannedTrials;
    // TPE: plan more of the round as slots free up, from the trials final so far. Random and grid:
    // the next chunk once fewer than `parallelism` planned trials wait to be enqueued.
    const { parallelism } = spec.strategy;
    const more =
      spec.strategy.type === "tpe"
        ? Math.min(roundTotal - counts.total, parallelism - counts.open)
        : counts.open - counts.inFlight < parallelism ? roundTotal - counts.total : 0;
    if (more > 0) {
      const planned = await this.plan(repo, spec, round, counts.total, more);
      result.planned += planned;
      if (planned > 0) return true;
    }
    if (counts.open > 0) {
      result.reenqueued += await this.restoreLostJobs(repo);
      const ids = await repo.markNextEnqueued(round.index, spec.strategy.parallelism - counts.inFlight);
      if (ids.length > 0) {
        await this.dispatcher.enqueue(ids.map((trialId) => ({ trialId, searchId })));
        result.enqueued += ids.length;
      }
      return false;
    }
    if (counts.total < roundTotal) return false; // cannot happen: planning above filled the slots
    // Every trial of the round is final.
    const { advanced, ranked, trials } = await this.finishRound(repo, spec, round);
    if (advanced) {
      result.advanced = true;
      return true;
    }
    result.finished = await this.finishSearch(repo, spec, ranked, trials);
    return false;
  }

  /**
   * Inserts trials `first …` of the round: all of it (random, grid) or `count` more (TPE, from
   * the round's final trials ranked so far). Each config trains the round's epochs.
   */
  private async plan(repo: LockedSearchRepo, spec: SearchSpec, round: RoundInfo, first: number, count?: number): Promise<number> {
    const t0 = performance.now();
    const history =
      spec.strategy.type === "tpe" && first > 0
        ? await repo.finalTrials().then((ts) => {
            const mine = ts.filter((t) => t.round === round.index);
            const byId = new Map(mine.map((t) => [t.id, t]));
            return rankTrials(mine.map((t) => ({ ...t, lastValue: objectiveValue(t, spec.objective) })), spec.objective).map((r) => ({ params: byId.get(r.id)!.params }));
          })
        : [];
    const edit = (await repo.roundEdits()).find((e) => e.index === round.index);
    const { assignments, rows, size } = planning(`round ${round.index} cannot be planned`, () => {
      const space = Space.parse(round.space);
      // A user's round has its own trial count (a grid's is its size over the round's space).
      const size = edit && spec.strategy.type !== "grid" ? edit.trials : roundSize(spec.strategy, space, round.index);
      // Whole-round strategies plan in chunks, so the first trials run while later ones are planned
      // (2,000 configs take ~0.5 s to build and validate); a chunk is never less than 2 × parallelism.
      // A round's first chunk is only what fills its slots (at least FIRST_CHUNK_MIN): planning the
      // whole chunk first delayed the first enqueue by ~0.3 s of a 1,000-trial bench:dispatch run.
      const chunk = Math.max(PLAN_CHUNK, 2 * spec.strategy.parallelism);
      const limit = first === 0 ? Math.min(chunk, Math.max(FIRST_CHUNK_MIN, spec.strategy.parallelism)) : chunk;
      const n = spec.strategy.type === "tpe" ? (count ?? Math.min(size, spec.strategy.parallelism)) : Math.min(size - first, count ?? limit, limit);
      const assignments: Assignment[] = planTrials(spec, { round: round.index, firstIndex: first, count: n, history }, space, spec.seed);
      const base = baseConfigOf(spec);
      const epochs = edit?.epochs ?? roundsOf(spec)[round.index]?.epochs ?? spec.training.epochs;
      const withEpochs = { ...base, training: { ...base.training, epochs } };
      const rows = assignments.map((params, i) => ({ round: round.index, index: first + i, params, config: trialConfigFor(withEpochs, params) }));
      return { assignments, rows, size };
    });
    const inserted = await repo.insertTrials(rows);
    if (round.plannedTrials !== size) await repo.setRoundPlanned(round.id, size);
    const ms = Math.round(performance.now() - t0);
    this.logger.info({ searchId: repo.search.id, round: round.index, first, trials: assignments.length, history: history.length, ms }, "planned trials");
    return inserted;
  }

  /**
   * Re-enqueues trials whose job may have been lost (same job ids: for BullMQ these adds are
   * no-ops while the jobs exist, waiting, active or retained as finished).
   *  - The first time this reconciler sees a search: every queued trial, and every running one
   *    not written since, handed to the queue before this reconciler was created (i.e. before a
   *    scheduler (re)start) — the in-process queue forgets everything when its process dies.
   *  - Later, at most once per lostJobAfterMs: trials queued for longer than that, and running
   *    trials without a write for that long (their job may be gone, e.g. Redis was flushed; a
   *    re-delivered run re-claims the trial and the worker's fencing drops the old run).
   * Not covered: a job BullMQ finished while its trial stayed queued (the re-add is a no-op
   * while the finished job is retained) — the worker never finishes a job that way.
   */
  private async restoreLostJobs(repo: LockedSearchRepo): Promise<number> {
    const now = Date.now();
    const last = this.lastLostCheck.get(repo.search.id);
    if (last !== undefined && now - last < this.lostJobAfterMs) return 0;
    this.lastLostCheck.set(repo.search.id, now);
    const ids =
      last === undefined
        ? await repo.enqueuedOpen({ enqueuedBefore: this.startedAt, runningIdleBefore: this.startedAt, limit: 10_000 })
        : await repo.enqueuedOpen({ enqueuedBefore: new Date(now - this.lostJobAfterMs), runningIdleBefore: new Date(now - this.lostJobAfterMs), limit: 10_000 });
    if (ids.length === 0) return 0;
    await this.dispatcher.enqueue(ids.map((trialId) => ({ trialId, searchId: repo.search.id })));
    await repo.markEnqueued(ids);
    this.logger.debug({ searchId: repo.search.id, trials: ids.length }, "re-enqueued trials whose jobs may be lost (no-op for jobs that exist)");
    return ids.length;
  }

  /**
   * Ranks the whole search's final trials (by the objective each worker stored) and records
   * the best so far; if rounds remain, inserts the next round (narrowed around this round's
   * best). `advanced` is false when this was the last round.
   */
  /**
   * The search's budgets (strategy.maxFailedTrials, strategy.maxSeconds). Past the failure
   * allowance the search fails, naming the most common error; past its time the queued trials
   * are cancelled (stopReason timeout), the running ones end by themselves ("waiting"), and the
   * search completes with what it has. Null while neither budget is spent.
   */
  private async budgetSpent(repo: LockedSearchRepo, spec: SearchSpec, round: RoundInfo, open: number): Promise<"completed" | "failed" | "waiting" | null> {
    const { maxFailedTrials, maxSeconds } = spec.strategy;
    if (repo.search.failedTrials > maxFailedTrials) {
      await repo.cancelQueued("cancelled");
      const common = await repo.commonError();
      const error = `${repo.search.failedTrials} trials failed, more than strategy.maxFailedTrials (${maxFailedTrials}); most common error (${common?.count ?? 0}×): ${common?.error ?? "none"}`;
      await repo.pruneModels(spec.strategy.keepModels);
      await repo.fail(error);
      this.logger.warn({ searchId: repo.search.id, error }, "search failed");
      return "failed";
    }
    if (maxSeconds === undefined || Date.now() - repo.search.createdAt.getTime() <= maxSeconds * 1000) return null;
    const cancelled = await repo.cancelQueued("timeout");
    if (open - cancelled > 0) return "waiting"; // running trials end by themselves, then a pass completes the search
    this.logger.info({ searchId: repo.search.id, maxSeconds, cancelled }, "search time limit reached: completing with what it has");
    const { ranked, trials } = await this.finishRound(repo, spec, round, { last: true });
    return this.finishSearch(repo, spec, ranked, trials);
  }

  private async finishRound(
    repo: LockedSearchRepo,
    spec: SearchSpec,
    round: RoundInfo,
    opts: { last?: boolean } = {},
  ): Promise<{ advanced: boolean; ranked: RankedTrial[]; trials: FinalTrial[] }> {
    const trials = await repo.finalTrials();
    const rounds = roundsOf(spec);
    const edits = await repo.roundEdits();
    const editAt = new Map(edits.map((e) => [e.index, e]));
    // Like with like: each trial's epoch budget is its round's (a 1-epoch trial never outranks a 9-epoch one).
    const budget = (i: number) => editAt.get(i)?.epochs ?? rounds[i]?.epochs ?? spec.training.epochs;
    // A pruned trial has no objective; it ranks among the stopped ones by its value at the rung that stopped it.
    const ranked = rankTrials(trials.map((t) => ({ ...t, lastValue: objectiveValue(t, spec.objective), budget: budget(t.round) })), spec.objective);
    await repo.writeRanks(ranked);
    await repo.setBest(bestOf(ranked, trials));
    await repo.finishRound(round.id);
    const edit = editAt.get(round.index + 1);
    if (opts.last || (!edit && round.index + 1 >= rounds.length)) return { advanced: false, ranked, trials };
    if (edit) {
      // The user's round replaces the automatic one: its space as the user left it, not narrowed.
      const plannedTrials = planning(`round ${edit.index} cannot be planned`, () =>
        spec.strategy.type === "grid" ? roundSize(spec.strategy, edit.space, edit.index) : edit.trials,
      );
      await repo.insertRound({ index: edit.index, space: edit.space, narrowing: edit.reasons, plannedTrials });
      await repo.setPlannedTrials(trials.length + plannedTrials + trialsOfRounds(spec, edits, edit.index + 1, plannedTrials));
      this.logger.info({ searchId: repo.search.id, round: edit.index, reasons: edit.reasons }, "next round: the user's");
      return { advanced: true, ranked, trials };
    }

    const roundTrials = trials.filter((t) => t.round === round.index);
    const { next, plannedTrials } = planning(`round ${round.index + 1} cannot be planned`, () => {
      const next = planNextSpace(spec, Space.parse(round.space), roundTrials, { keepFraction: rounds[round.index]!.keepFraction });
      return { next, plannedTrials: roundSize(spec.strategy, next.space, round.index + 1) };
    });
    await repo.insertRound({ index: round.index + 1, space: next.space, narrowing: next.reasons, plannedTrials });
    // A narrowed grid may hold fewer points: planned = trials so far + each remaining round's size.
    await repo.setPlannedTrials(trials.length + plannedTrials + trialsOfRounds(spec, edits, round.index + 2, plannedTrials));
    this.logger.info({ searchId: repo.search.id, round: round.index + 1, reasons: next.reasons }, "next round narrowed");
    return { advanced: true, ranked, trials };
  }

  /**
   * Completed with the best-ranked completed trial (the last round's ranking); failed when
   * no trial completed (every one failed, stopped or was cancelled), saying how they ended.
   */
  private async finishSearch(repo: LockedSearchRepo, spec: SearchSpec, ranked: readonly RankedTrial[], trials: readonly FinalTrial[]): Promise<"completed" | "failed"> {
    const best = bestOf(ranked, trials);
    await repo.pruneModels(spec.strategy.keepModels);
    if (best === null) {
      const by = new Map<string, number>();
      for (const t of trials) by.set(t.status, (by.get(t.status) ?? 0) + 1);
      const how = [...by].map(([s, n]) => `${n} ${s}`).join(", ");
      const error = `no trial completed (${how || "no trials"})`;
      await repo.fail(error);
      this.logger.warn({ searchId: repo.search.id, error }, "search failed");
      return "failed";
    }
    await repo.complete(best);
    this.logger.info({ searchId: repo.search.id, best, trials: trials.length }, "search completed");
    return "completed";
  }
}

/** The spec's rounds with their defaults (trials, epochs, keepFraction per round). */
function roundsOf(spec: SearchSpec): ResolvedRound[] {
  return resolveRounds(spec.strategy, spec.training.epochs);
}

/**
 * Trials that rounds `from …` will plan: the spec's rounds and the user's (an edit replaces the
 * spec's round of its index); `fallback` for a round whose size is not known yet (a grid's).
 */
function trialsOfRounds(spec: SearchSpec, edits: readonly StoredRoundEdit[], from: number, fallback: number): number {
  const rounds = roundsOf(spec);
  const editAt = new Map(edits.map((e) => [e.index, e]));
  const last = Math.max(rounds.length - 1, ...edits.map((e) => e.index));
  let n = 0;
  for (let i = from; i <= last; i++) n += editAt.get(i)?.trials ?? rounds[i]?.trials ?? fallback;
  return n;
}

/** The first-ranked trial if it completed (ranking puts completed trials first), else null. */
function bestOf(ranked: readonly RankedTrial[], trials: readonly FinalTrial[]): string | null {
  const first = ranked[0];
  if (!first) return null;
  return trials.find((t) => t.id === first.id)?.status === "completed" ? first.id : null;
}

/** A deterministic failure to plan a search (bad stored spec or space): retrying cannot help. */
export class PlanningError extends Error {
  readonly code = "planning_failed";
}

/** Runs pure planning code; any error it throws becomes a PlanningError saying `what`. */
function planning<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new PlanningError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
