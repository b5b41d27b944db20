/**
 * The worker's database operations: one function per state transition of a trial run,
 * each ONE statement (atomic on its own; no interactive transaction), so a trial costs the
 * worker two round trips: claimTrial (trial-claim.ts) and finishTrial (+ recordEpochs per
 * progress batch). They run as prepared statements on the client's pg pool directly
 * (driver-pool.ts): these are the statements every trial pays for, and Prisma's per-query
 * overhead and Postgres' per-call parse/plan were a large share of a no-op trial's cost.
 * Claims and finishes also exist for many trials at once (claimTrials, finishTrials): the
 * Db handle sends a process's concurrent calls through a Batcher (batcher.ts), since the
 * statement-level triggers on `trials` (migration 20261201120000) cost ~1.5 ms of Postgres CPU
 * per statement, almost whatever its rows (claim + finish of 2,000 trials at 64 at once:
 * 4.3 ms of Postgres CPU per trial one by one, 1.3 with the triggers disabled, 0.35 batched).
 *
 *   queued ──claimTrial──▶ running ──finishTrial──▶ completed | stopped | cancelled
 *     ▲                      │  ╰──────failTrial──▶ failed
 *     ╰──────releaseTrial────╯  (graceful shutdown hands it back)
 *
 * Fencing: `trials.attempts` is incremented by every claim, and the claim's value is the
 * run's token. Progress and final writes only apply WHERE status = 'running' AND attempts =
 * token, so a superseded run (its worker stalled and the job was re-delivered) or a
 * duplicate delivery writes nothing and learns it lost (the functions return false).
 *
 * Every transition to a final state wakes the scheduler (pg_notify) inside its own statement:
 * the notification is sent on commit, exactly when the change becomes visible.
 *
 * Numbers: non-finite metric values are stored as NULL (the API's JSON cannot carry NaN).
 */
import type { EpochMetrics, TrialMetrics } from "@hps/contracts";
import { packArtifact } from "./artifact-codec.ts";
import { prepared, type Conn } from "./connection.ts";
import { WAKE_CHANNEL } from "./wakeups.ts";

export { claimTrial, claimTrials, type ClaimResult, type ClaimRequest } from "./trial-claim.ts";

/**
 * Upserts curve points of a running trial (a retried run overwrites its predecessor's points)
 * and copies the latest point into the trial's live columns (epochs, losses, accuracies), in
 * one statement. Returns false — and writes nothing — when the run no longer owns the trial.
 */
export async function recordEpochs(c: Conn, trialId: string, attempt: number, epochs: readonly EpochMetrics[]): Promise<boolean> {
  if (epochs.length === 0) {
    const { rowCount } = await prepared(c, "trial_runs_is_owner", `SELECT 1 FROM trials WHERE id = $1 AND status = 'running' AND attempts = $2`, [trialId, attempt]);
    return (rowCount ?? 0) > 0;
  }
  const latest = epochs.reduce((a, b) => (b.epoch > a.epoch ? b : a));
  const { rowCount } = await prepared(
    c, "trial_runs_record_epochs",
    `WITH u AS (
       UPDATE trials
       SET epochs = GREATEST(epochs, $3::int), final_loss = $4::float8, val_loss = $5::float8,
           train_accuracy = $6::float8, val_accuracy = $7::float8, updated_at = now()
       WHERE id = $1 AND status = 'running' AND attempts = $2
       RETURNING id),
     c AS (${curveUpsert("$8")})
     SELECT 1 FROM u`,
    [trialId, attempt, latest.epoch, fin(latest.trainLoss), fin(latest.valLoss), fin(latest.trainAccuracy), fin(latest.valAccuracy), curveJson(epochs)],
  );
  return (rowCount ?? 0) > 0;
}

/** epoch_metrics columns a pruner may compare (the objective's metric; trainLoss is train_loss). */
const CURVE_COLUMN = { valAccuracy: "val_accuracy", valLoss: "val_loss", trainAccuracy: "train_accuracy", trainLoss: "train_loss" } as const;

/**
 * What the other trials of `trialId`'s round (same search, same round) reported at `epoch`,
 * as stored so far (a pruner's evidence: ASHA's rung, the median rule's epoch). Non-finite or
 * missing values are left out.
 */
export async function roundValuesAt(c: Conn, trialId: string, epoch: number, metric: keyof typeof CURVE_COLUMN): Promise<number[]> {
  const col = CURVE_COLUMN[metric];
  const { rows } = await prepared<{ v: number }>(
    c, `trial_runs_round_values_${col}`,
    `SELECT em.${col} AS v FROM trials me
     JOIN trials t ON t.search_id = me.search_id AND t.round = me.round AND t.id <> me.id
     JOIN epoch_metrics em ON em.trial_id = t.id AND em.epoch = $2
     WHERE me.id = $1 AND em.${col} IS NOT NULL`,
    [trialId, epoch],
  );
  return rows.map((r) => Number(r.v)).filter(Number.isFinite);
}

/** The final outcome of a run, as finishTrial stores it. */
export interface TrialOutcome {
  status: "completed" | "stopped" | "cancelled";
  stopReason: string | null;
  metrics: TrialMetrics;
  /** The whole curve; replaces what recordEpochs streamed (points past its end are deleted). */
  curve: readonly EpochMetrics[];
  /** The objective metric's value; null unless completed and finite. */
  objective: number | null;
  diagnostics: readonly unknown[];
  /** Trained parameters (trial_artifacts), if any. */
  artifact?: { format: string; data: Uint8Array };
}

/**
 * The final write of a run, idempotent: applies only while the trial is `running` under this
 * attempt. ONE statement: the trial's result, the curve (upserted; points past its end
 * deleted), the artifact and the scheduler's wake-up (pg_notify, delivered on commit) are all
 * CTEs hanging off the guarded UPDATE, so they happen together or not at all. Returns whether
 * this call won; a second writer (a duplicate job, a superseded run) gets false and changes nothing.
 */
export async function finishTrial(c: Conn, trialId: string, attempt: number, outcome: TrialOutcome): Promise<boolean> {
  return (await finishTrials(c, [{ trialId, attempt, outcome }]))[0]!;
}

export interface FinishRequest {
  trialId: string;
  attempt: number;
  outcome: TrialOutcome;
}

/**
 * finishTrial for many distinct trials in ONE statement (the worker's Batcher sends concurrent
 * finishes together): each row has its own guard (running under its attempt), so each wins or
 * loses exactly as alone; the batch commits whole, with one wake-up per search.
 */
export async function finishTrials(c: Conn, reqs: readonly FinishRequest[]): Promise<boolean[]> {
  if (new Set(reqs.map((r) => r.trialId)).size !== reqs.length) throw new Error("finishTrials: a trial id appears twice in one batch");
  const stored = await Promise.all(reqs.map((r) => (r.outcome.artifact ? packArtifact(r.outcome.artifact.data) : null)));
  const rowsJson = JSON.stringify(
    reqs.map(({ trialId, attempt, outcome }, i) => {
      const m = outcome.metrics;
      return {
        i: i + 1, id: trialId, attempt, status: outcome.status, stop_reason: outcome.stopReason,
        initial_loss: fin(m.initialLoss), final_loss: fin(m.finalLoss), train_accuracy: fin(m.trainAccuracy), val_accuracy: fin(m.valAccuracy),
        val_loss: fin(m.valLoss), epochs: m.epochs, objective: outcome.status === "completed" ? fin(outcome.objective) : null,
        diagnostics: outcome.diagnostics, last_epoch: outcome.curve.reduce((a, p) => Math.max(a, p.epoch), 0), curve: curvePoints(outcome.curve),
        format: outcome.artifact?.format ?? null,
      };
    }),
  );
  // The CTEs share one snapshot and touch disjoint rows (a trial's epochs ≤ last_epoch are upserted, > last_epoch deleted).
  const { rows } = await prepared<{ ids: string[] }>(
    c, "trial_runs_finish_trials",
    `WITH v AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(i int, id uuid, attempt int, status text, stop_reason text, initial_loss float8,
         final_loss float8, train_accuracy float8, val_accuracy float8, val_loss float8, epochs int, objective float8,
         diagnostics jsonb, last_epoch int, curve jsonb, format text)),
     u AS (
       UPDATE trials t
       SET status = v.status::"TrialStatus", stop_reason = v.stop_reason, initial_loss = v.initial_loss, final_loss = v.final_loss,
           train_accuracy = v.train_accuracy, val_accuracy = v.val_accuracy, val_loss = v.val_loss, epochs = v.epochs,
           objective = v.objective, diagnostics = v.diagnostics, error = NULL, finished_at = now(), updated_at = now()
       FROM v
       WHERE t.id = v.id AND t.status = 'running' AND t.attempts = v.attempt
       RETURNING t.id, t.search_id, v.i, v.last_epoch, v.curve, v.format),
     c AS (${curveUpsert("u.curve")}),
     d AS (DELETE FROM epoch_metrics e USING u WHERE e.trial_id = u.id AND e.epoch > u.last_epoch),
     a AS (
       INSERT INTO trial_artifacts (trial_id, format, data)
       SELECT u.id, u.format, ($2::bytea[])[u.i] FROM u WHERE u.format IS NOT NULL
       ON CONFLICT (trial_id) DO UPDATE SET format = EXCLUDED.format, data = EXCLUDED.data, created_at = now())
     SELECT array_agg(u.id::text) AS ids, pg_notify($3, u.search_id::text)::text AS notified FROM u GROUP BY u.search_id`,
    [rowsJson, stored, WAKE_CHANNEL],
  );
  const won = new Set(rows.flatMap((r) => r.ids));
  return reqs.map((r) => won.has(r.trialId));
}

/**
 * Marks a trial failed for good (its last attempt errored, or it was given up by the queue)
 * and wakes the scheduler in the same statement. With `attempt`, only that run may do it;
 * without, any non-final trial is failed. Returns whether the trial changed.
 */
export async function failTrial(c: Conn, trialId: string, error: string, attempt?: number): Promise<boolean> {
  const { rowCount } = await prepared(
    c, "trial_runs_fail_trial",
    `UPDATE trials SET status = 'failed', error = $2, finished_at = now(), updated_at = now()
     WHERE id = $1 AND status IN ('queued', 'running') AND ($3::int IS NULL OR attempts = $3::int)
     RETURNING pg_notify($4, search_id::text)::text AS notified`,
    [trialId, error.slice(0, 4000), attempt ?? null, WAKE_CHANNEL],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Hands a running trial back (graceful shutdown): status queued, worker cleared, so the next
 * delivery of its job claims it afresh. `attempts` keeps counting claims. Returns whether it changed.
 */
export async function releaseTrial(c: Conn, trialId: string, attempt: number): Promise<boolean> {
  const { rowCount } = await prepared(
    c, "trial_runs_release_trial",
    `UPDATE trials SET status = 'queued', worker_id = NULL, updated_at = now() WHERE id = $1 AND status = 'running' AND attempts = $2`,
    [trialId, attempt],
  );
  return (rowCount ?? 0) > 0;
}

export async function isSearchCancelled(c: Conn, searchId: string): Promise<boolean> {
  const { rows } = await prepared<{ status: string }>(c, "trial_runs_search_status", `SELECT status::text AS status FROM searches WHERE id = $1`, [searchId]);
  return rows[0]?.status === "cancelled";
}

export interface RunState {
  /** The run still owns the trial (running under its attempt). */
  owned: boolean;
  searchCancelled: boolean;
}

/**
 * One query for the cancel poll of every run in this process: does each run still own its
 * trial, and was its search cancelled? Trials that vanished are reported as not owned.
 */
export async function runStates(c: Conn, runs: ReadonlyArray<{ trialId: string; attempt: number }>): Promise<Map<string, RunState>> {
  const out = new Map<string, RunState>();
  if (runs.length === 0) return out;
  const { rows } = await prepared<{ id: string; status: string; attempts: number; search_status: string }>(
    c, "trial_runs_run_states",
    `SELECT t.id::text AS id, t.status::text AS status, t.attempts, s.status::text AS search_status
     FROM trials t JOIN searches s ON s.id = t.search_id
     WHERE t.id = ANY($1::uuid[])`,
    [runs.map((r) => r.trialId)],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const run of runs) {
    const r = byId.get(run.trialId);
    out.set(run.trialId, {
      owned: !!r && r.status === "running" && r.attempts === run.attempt,
      searchCancelled: r?.search_status === "cancelled",
    });
  }
  return out;
}


/**
 * The curve upsert as a CTE body over `u` (the guarded UPDATE's RETURNING id), so it writes
 * only when the run still owns the trial. `curve`: the jsonb expression carrying curvePoints (a placeholder, or a column of `u`).
 */
function curveUpsert(curve: string): string {
  return `
    INSERT INTO epoch_metrics (trial_id, epoch, train_loss, val_loss, train_accuracy, val_accuracy)
    SELECT u.id, e.epoch, e.tl, e.vl, e.ta, e.va
    FROM u, jsonb_to_recordset(${curve}::jsonb) AS e(epoch int, tl float8, vl float8, ta float8, va float8)
    ON CONFLICT (trial_id, epoch) DO UPDATE
    SET train_loss = EXCLUDED.train_loss, val_loss = EXCLUDED.val_loss,
        train_accuracy = EXCLUDED.train_accuracy, val_accuracy = EXCLUDED.val_accuracy, created_at = now()`;
}

/** Curve points as curveUpsert reads them: one per epoch (last wins; ON CONFLICT cannot hit a row twice), non-finite → null. */
function curvePoints(points: readonly EpochMetrics[]): Array<{ epoch: number; tl: number | null; vl: number | null; ta: number | null; va: number | null }> {
  const byEpoch = new Map(points.map((p) => [p.epoch, p]));
  return [...byEpoch.values()].map((p) => ({ epoch: p.epoch, tl: fin(p.trainLoss), vl: fin(p.valLoss), ta: fin(p.trainAccuracy), va: fin(p.valAccuracy) }));
}

function curveJson(points: readonly EpochMetrics[]): string {
  return JSON.stringify(curvePoints(points));
}

/** A finite number or null. */
function fin(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
