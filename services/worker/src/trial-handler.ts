/**
 * The worker's TrialHandler: claim → train off the event loop → guarded final write. Two
 * database round trips per trial on the common path (claimTrial, finishTrial; the final write
 * also wakes the scheduler), plus one per progress batch for runs that outlive a flush interval.
 * `withRetryOrGiveUp` is the one place errors are translated: rethrow for a retry,
 * or on the last attempt mark the trial failed (then rethrow so the queue records it too).
 */
import { TrialConfig, type EpochMetrics, type Objective, type Pruner, type TrialJob } from "@hps/contracts";
import { curveValue, stopRuleFor } from "@hps/search";
import { isConnectionError, type Db } from "@hps/db";
import { isShutdownAbort, type TrialHandler, type TrialJobContext } from "@hps/queue";
import type { Logger } from "./logger.ts";
import { DatasetMissingError, type DatasetStore, type UploadedData } from "./dataset-store.ts";
import { toOutcome } from "./outcome.ts";
import { ProgressBuffer } from "./progress-buffer.ts";
import type { RunWatcher, StopCause } from "./run-watcher.ts";
import type { Trainer } from "./trainer.ts";

export interface TrialHandlerDeps {
  db: Pick<Db, "runs">;
  /** Uploaded datasets, fetched once per process (default: a memory-only store on `db`, which then needs `datasets`). */
  datasets?: DatasetStore;
  trainer: Trainer;
  watcher: RunWatcher;
  workerId: string;
  logger: Logger;
  /** Progress flush cadence (defaults: 500 ms / 10 epochs). */
  flushIntervalMs?: number;
  flushEpochs?: number;
  /** Waits between retries of a final write that failed on the connection (default FINAL_WRITE_RETRY_MS). */
  finalWriteRetryMs?: readonly number[];
}

/** Outcome of one handled delivery (for logs and tests). */
export type RunResult = "finished" | "lost" | "skipped" | "superseded";

/** What a delivery learned that its error handling needs: the run's fencing token once the claim took the trial. */
export interface DeliveryState {
  attempt?: number;
}

export function createTrialHandler(deps: TrialHandlerDeps): TrialHandler {
  return withRetryOrGiveUp(deps, (job, ctx, state) => runTrial(deps, job, ctx, state).then(() => undefined));
}

/**
 * A failure retrying cannot fix (an invalid stored config, a config the core refuses to train,
 * missing fine-tune parameters):
 * the trial is failed at once and the job completes.
 */
export class PermanentTrialError extends Error {
  readonly code = "permanent_trial_error";
  constructor(
    message: string,
    /** The run's fencing token, so only the run that hit it fails the trial. */
    readonly attempt: number,
  ) {
    super(message);
    this.name = "PermanentTrialError";
  }
}

function withRetryOrGiveUp(
  deps: TrialHandlerDeps,
  inner: (job: TrialJob, ctx: TrialJobContext, state: DeliveryState) => Promise<void>,
): TrialHandler {
  const { db, logger } = deps;
  return async (job, ctx) => {
    const state: DeliveryState = {};
    try {
      await inner(job, ctx, state);
    } catch (err) {
      const log = { trialId: job.trialId, searchId: job.searchId, delivery: ctx.attempt, workerId: deps.workerId, err };
      if (isShutdownAbort(ctx.signal)) {
        logger.info(log, "trial handed back to the queue (shutdown)");
        throw err;
      }
      if (err instanceof PermanentTrialError) {
        logger.error(log, "trial failed permanently");
        try {
          await db.runs.fail(job.trialId, err.message, err.attempt); // wakes the scheduler if it changed the trial
          return;
        } catch (e) {
          logger.error({ ...log, err: e }, "could not mark the trial failed; the queue will retry");
          throw e;
        }
      }
      if (!ctx.lastAttempt) {
        logger.warn(log, "trial run failed; the queue will retry it");
        throw err;
      }
      logger.error(log, "trial run failed on its last attempt; marking it failed");
      // Fenced by this run's attempt: a run superseded meanwhile (it stalled and the job went to
      // another worker, which re-claimed the trial) must not fail the trial the new run owns.
      await giveUp(db, logger, job, errorMessage(err), state.attempt);
      throw err;
    }
  };
}

/**
 * Marks a trial failed (failTrial wakes the scheduler); never throws. With `attempt`, only while
 * that run still owns the trial; without (the queue gave up on the job), in any non-final state.
 */
export async function giveUp(db: Pick<Db, "runs">, logger: Logger, job: TrialJob, message: string, attempt?: number): Promise<void> {
  try {
    await db.runs.fail(job.trialId, message, attempt);
  } catch (e) {
    logger.error({ trialId: job.trialId, err: e }, "could not mark the trial failed");
  }
}

export async function runTrial(deps: TrialHandlerDeps, job: TrialJob, ctx: TrialJobContext, state: DeliveryState = {}): Promise<RunResult> {
  const { db, trainer, watcher, workerId, logger } = deps;
  const log = { trialId: job.trialId, searchId: job.searchId, delivery: ctx.attempt, workerId };
  const claim = await db.runs.claim(job.trialId, workerId);
  if (claim.kind === "skip" && claim.reason === "missing") {
    // The row may not be visible yet (or the job outlived its search): let the queue retry with
    // back-off rather than completing a job whose trial would then never run.
    throw new Error(`trial ${job.trialId} not found`);
  }
  if (claim.kind === "skip") {
    logger.info({ ...log, reason: claim.reason }, "trial skipped"); // a cancel by the claim has woken the scheduler
    return "skipped";
  }
  const { attempt } = claim;
  state.attempt = attempt;
  const parsed = TrialConfig.safeParse(claim.config);
  if (!parsed.success) throw new PermanentTrialError(`invalid trial config: ${parsed.error.message}`, attempt);
  const config = parsed.data;
  if (claim.initFrom && !claim.initFrom.params) {
    throw new PermanentTrialError(`model.initFrom names trial ${claim.initFrom.trialId}, which has no stored parameters`, attempt);
  }
  let data: UploadedData | undefined;
  if (config.dataset.name === "uploaded") {
    if (!deps.datasets) throw new PermanentTrialError("this worker has no dataset store for uploaded datasets", attempt);
    try {
      data = await deps.datasets.get(config.dataset);
    } catch (err) {
      if (err instanceof DatasetMissingError) throw new PermanentTrialError(err.message, attempt);
      throw err;
    }
  }
  logger.info({ ...log, attempt }, "trial started");

  // Why training was asked to stop early (first cause wins).
  let cause: StopCause | "shutdown" | "pruned" | null = null;
  const abort = new AbortController();
  const stop = (c: StopCause | "shutdown" | "pruned") => {
    if (cause) return;
    cause = c;
    abort.abort(c);
  };
  const onShutdown = () => stop("shutdown");
  ctx.signal.addEventListener("abort", onShutdown, { once: true });
  if (ctx.signal.aborted) onShutdown();
  const run = { trialId: job.trialId, attempt, stop };
  watcher.add(run);
  const buffer = new ProgressBuffer({
    flush: async (points) => {
      const owned = await db.runs.recordEpochs(job.trialId, attempt, points);
      const last = points[points.length - 1];
      if (owned) ctx.progress({ epoch: last.epoch, trainLoss: last.trainLoss, valAccuracy: last.valAccuracy });
      return owned;
    },
    onLost: () => stop("superseded"),
    onError: (err) => logger.warn({ ...log, attempt, err }, "progress write failed (will retry)"),
    intervalMs: deps.flushIntervalMs,
    maxEpochs: deps.flushEpochs,
  });
  const afterEpoch = claim.pruner
    ? pruneCheck({ db, trialId: job.trialId, attempt, pruner: claim.pruner, epochs: config.training.epochs, objective: claim.objective, onPrune: (reason) => {
        logger.info({ ...log, attempt, reason }, "trial pruned");
        stop("pruned");
      } })
    : undefined;
  let result;
  try {
    result = await trainer.run(config, {
      onEpoch: (m) => buffer.push(m),
      afterEpoch,
      initialParams: claim.initFrom?.params ?? undefined,
      ...(data ? { source: data.source } : {}),
      signal: abort.signal,
    });
  } catch (err) {
    // Deterministic failures of the config fail every attempt: the core refused it before training
    // (InvalidTrialConfigError), or the trial needs more memory than its budget or the host gives.
    const code = (err as { code?: unknown } | null)?.code;
    if (code === "invalid_trial_config") throw new PermanentTrialError(`invalid trial config: ${errorMessage(err)}`, attempt);
    if (code === "out_of_memory") throw new PermanentTrialError(errorMessage(err), attempt);
    throw err;
  } finally {
    ctx.signal.removeEventListener("abort", onShutdown);
    watcher.remove(run);
    await buffer.stop();
  }
  if (cause === "shutdown") {
    await db.runs.release(job.trialId, attempt);
    throw ctx.signal.reason; // the consumer hands the job back to the queue
  }
  if (cause === "superseded") {
    logger.warn({ ...log, attempt }, "trial superseded by another run; result dropped");
    return "superseded";
  }
  // A pruned run ends as the pruner's stop: stopped, "pruned", its curve up to the judged epoch.
  const outcome = toOutcome(result, config, claim.objective, data);
  if (cause === "pruned") Object.assign(outcome, { status: "stopped", stopReason: "pruned", objective: null });
  // Stores the result, the curve and the artifact and wakes the scheduler, in one statement.
  const won = await finishOutlivingOutages(deps, ctx.signal, log, () => db.runs.finish(job.trialId, attempt, outcome));
  if (!won) {
    logger.warn({ ...log, attempt }, "final write lost: the trial was finished or re-claimed elsewhere");
    return "lost";
  }
  logger.info({ ...log, attempt, status: result.status, stopReason: result.stopReason, epochs: result.metrics.epochs }, "trial finished");
  return "finished";
}

/**
 * Waits before each retry of a final write that failed on the connection, ~16 s in all: a trained
 * result outlives a network blip or a database restart instead of going back to the queue, whose
 * retry trains the trial again. Past them (or on a shutdown) the error goes to the queue as before.
 */
export const FINAL_WRITE_RETRY_MS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000];

/**
 * Runs the final write, again after a connection error (isConnectionError), never after any other.
 * The write is fenced by the run's attempt, so repeating it is safe: if the trial was re-claimed
 * meanwhile it writes nothing and resolves false (logged "final write lost"), as it also does when
 * an earlier try had committed before its connection dropped.
 */
async function finishOutlivingOutages(
  deps: Pick<TrialHandlerDeps, "logger" | "finalWriteRetryMs">,
  signal: AbortSignal,
  log: Record<string, unknown>,
  write: () => Promise<boolean>,
): Promise<boolean> {
  const delays = deps.finalWriteRetryMs ?? FINAL_WRITE_RETRY_MS;
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (err) {
      const wait = delays[i];
      if (wait === undefined || signal.aborted || !isConnectionError(err)) throw err;
      deps.logger.warn({ ...log, err, retryInMs: wait }, "final write failed on the connection; retrying");
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const t = setTimeout(done, wait);
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }
}

/**
 * The pruner's question after each epoch: this run's epoch is stored first (so the round's other
 * trials judge against it too), then the rule (packages/search, pure) decides over the values the
 * round's other trials have stored at that epoch — the same call a restarted worker or a retried
 * run makes from the same rows. Resolves false (stop) when it prunes; a database error keeps going.
 */
function pruneCheck(o: {
  db: Pick<Db, "runs">;
  trialId: string;
  attempt: number;
  pruner: Pruner;
  epochs: number;
  objective: Objective;
  onPrune(reason: string): void;
}): (m: EpochMetrics) => Promise<boolean> {
  const rule = stopRuleFor(o.pruner, o.epochs);
  const curve: (number | null)[] = [];
  return async (m) => {
    curve.push(curveValue(m, o.objective.metric));
    if (!(await o.db.runs.recordEpochs(o.trialId, o.attempt, [m]))) return true; // lost the trial: the buffer stops it
    const values = await o.db.runs.roundValuesAt(o.trialId, m.epoch, o.objective.metric);
    const others = values.map((v) => Object.assign(new Array<number | null>(m.epoch).fill(null), { [m.epoch - 1]: v }));
    const d = rule.shouldPrune({ curve, others, goal: o.objective.goal });
    if (d.prune) o.onPrune(d.reason);
    return !d.prune;
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
