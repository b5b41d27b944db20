/**
 * The worker's database operations: one function per state transition of a trial run,
 * each ONE statement (atomic on its own; no interactive transaction), so a trial costs the
 * worker two round trips: claimTrial and finishTrial (+ recordEpochs per progress batch).
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
import { Prisma, type PrismaClient } from "./client.ts";
import { WAKE_CHANNEL } from "./wakeups.ts";

export interface TrialObjective {
  metric: "valAccuracy" | "valLoss" | "trainAccuracy" | "trainLoss";
  goal: "maximize" | "minimize";
}

export type ClaimResult =
  | {
      kind: "run";
      /** The run's fencing token: trials.attempts after this claim (1 on the first claim). */
      attempt: number;
      /** trials.config as stored (the caller parses it with TrialConfig). */
      config: unknown;
      /** The search spec's objective (defaults filled when the spec lacks it). */
      objective: TrialObjective;
      /** When config.model.initFrom names a trial: its stored parameters, or null if it has none. */
      initFrom: { trialId: string; params: Uint8Array | null } | null;
    }
  | {
      kind: "skip";
      /** missing: no such trial; final: already final (duplicate/retried job); cancelled: search cancelled, trial now cancelled. */
      reason: "missing" | "final" | "cancelled";
    };

/** How often claimTrial re-reads a trial whose state changed between its two statements. */
const CLAIM_TRIES = 3;

/**
 * Takes a trial for one run: status running, attempts + 1, workerId, startedAt on the first
 * claim. A trial already `running` (its previous run stalled) is taken over: the new attempt
 * fences the old run out. Final → skip; search cancelled → trial cancelled (stopReason
 * "cancelled", scheduler woken) and skip.
 *
 * One round trip on the common path: the UPDATE claims and returns everything the run needs
 * (config, the search's objective, fine-tune parameters). Only when it matches no row does a
 * second statement find out why (and cancels, for a cancelled search). Each statement is
 * atomic on its own: the UPDATE's row lock serialises concurrent claims (Postgres re-checks
 * the WHERE on the row a concurrent claim or finish left), so no transaction is needed.
 */
export async function claimTrial(prisma: PrismaClient, trialId: string, workerId: string): Promise<ClaimResult> {
  for (let i = 0; i < CLAIM_TRIES; i++) {
    const [row] = await prisma.$queryRaw<Array<{ attempts: number; config: unknown; objective: unknown; init_from: string | null; init_params: Uint8Array | null }>>`
      UPDATE trials t
      SET status = 'running', attempts = t.attempts + 1, worker_id = ${workerId},
          started_at = COALESCE(t.started_at, now()), error = NULL, updated_at = now()
      FROM searches s
      WHERE t.id = ${trialId}::uuid AND s.id = t.search_id
        AND t.status IN ('queued', 'running') AND s.status <> 'cancelled'
      RETURNING t.attempts, t.config, s.spec->'objective' AS objective,
        t.config->'model'->'initFrom'->>'trialId' AS init_from,
        (SELECT a.data FROM trial_artifacts a WHERE a.trial_id = ${uuidOrNull(Prisma.sql`t.config->'model'->'initFrom'->>'trialId'`)}) AS init_params`;
    if (row) {
      const initFrom = row.init_from ? { trialId: row.init_from, params: row.init_params ? new Uint8Array(row.init_params) : null } : null;
      return { kind: "run", attempt: row.attempts, config: row.config, objective: parseObjective(row.objective), initFrom };
    }
    const skip = await whyNotClaimable(prisma, trialId);
    if (skip) return { kind: "skip", reason: skip };
    // Neither claimable a moment ago nor now final or cancelled: it changed in between; look again.
  }
  throw new Error(`trial ${trialId}: its state kept changing while claiming it`);
}

/**
 * The slow path of claimTrial: no row, a final trial, or a cancelled search (whose open trial
 * is cancelled here, waking the scheduler in the same statement). null: the trial is open
 * and its search is not cancelled (it changed since the claim looked), so the claim may retry.
 */
async function whyNotClaimable(prisma: PrismaClient, trialId: string): Promise<"missing" | "final" | "cancelled" | null> {
  // The SELECT sees the snapshot from before the CTE's UPDATE: `cancelled` tells whether it applied.
  const [row] = await prisma.$queryRaw<Array<{ status: string; cancelled: boolean }>>`
    WITH c AS (
      UPDATE trials t SET status = 'cancelled', stop_reason = 'cancelled', finished_at = now(), updated_at = now()
      FROM searches s
      WHERE t.id = ${trialId}::uuid AND s.id = t.search_id AND t.status IN ('queued', 'running') AND s.status = 'cancelled'
      RETURNING pg_notify(${WAKE_CHANNEL}, t.search_id::text)::text AS notified)
    SELECT t.status::text AS status, EXISTS (SELECT 1 FROM c) AS cancelled FROM trials t WHERE t.id = ${trialId}::uuid`;
  if (!row) return "missing";
  if (row.cancelled) return "cancelled";
  if (FINAL.has(row.status)) return "final";
  return null;
}

/**
 * Upserts curve points of a running trial (a retried run overwrites its predecessor's points)
 * and copies the latest point into the trial's live columns (epochs, losses, accuracies), in
 * one statement. Returns false — and writes nothing — when the run no longer owns the trial.
 */
export async function recordEpochs(prisma: PrismaClient, trialId: string, attempt: number, epochs: readonly EpochMetrics[]): Promise<boolean> {
  if (epochs.length === 0) return isOwner(prisma, trialId, attempt);
  const latest = epochs.reduce((a, b) => (b.epoch > a.epoch ? b : a));
  const rows = await prisma.$queryRaw<unknown[]>`
    WITH u AS (
      UPDATE trials
      SET epochs = GREATEST(epochs, ${latest.epoch}::int), final_loss = ${fin(latest.trainLoss)}::float8,
          val_loss = ${fin(latest.valLoss)}::float8, train_accuracy = ${fin(latest.trainAccuracy)}::float8,
          val_accuracy = ${fin(latest.valAccuracy)}::float8, updated_at = now()
      WHERE id = ${trialId}::uuid AND status = 'running' AND attempts = ${attempt}::int
      RETURNING id),
    c AS (${curveUpsert(epochs)})
    SELECT 1 AS owned FROM u`;
  return rows.length > 0;
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
export async function finishTrial(prisma: PrismaClient, trialId: string, attempt: number, outcome: TrialOutcome): Promise<boolean> {
  const m = outcome.metrics;
  const objective = outcome.status === "completed" ? fin(outcome.objective) : null;
  const last = outcome.curve.reduce((a, p) => Math.max(a, p.epoch), 0);
  const art = outcome.artifact;
  // The CTEs share one snapshot and touch disjoint rows (epochs ≤ last are upserted, > last deleted).
  const rows = await prisma.$queryRaw<unknown[]>`
    WITH u AS (
      UPDATE trials
      SET status = ${outcome.status}::"TrialStatus", stop_reason = ${outcome.stopReason},
          initial_loss = ${fin(m.initialLoss)}::float8, final_loss = ${fin(m.finalLoss)}::float8,
          train_accuracy = ${fin(m.trainAccuracy)}::float8, val_accuracy = ${fin(m.valAccuracy)}::float8,
          val_loss = ${fin(m.valLoss)}::float8, epochs = ${m.epochs}::int, objective = ${objective}::float8,
          diagnostics = ${JSON.stringify(outcome.diagnostics)}::jsonb, error = NULL,
          finished_at = now(), updated_at = now()
      WHERE id = ${trialId}::uuid AND status = 'running' AND attempts = ${attempt}::int
      RETURNING id, search_id),
    c AS (${curveUpsert(outcome.curve)}),
    d AS (DELETE FROM epoch_metrics e USING u WHERE e.trial_id = u.id AND e.epoch > ${last}::int),
    a AS (
      INSERT INTO trial_artifacts (trial_id, format, data)
      SELECT u.id, ${art?.format ?? null}::text, ${art ? new Uint8Array(art.data) : null}::bytea FROM u WHERE ${art ? 1 : 0}::int = 1
      ON CONFLICT (trial_id) DO UPDATE SET format = EXCLUDED.format, data = EXCLUDED.data, created_at = now())
    SELECT pg_notify(${WAKE_CHANNEL}, search_id::text)::text AS notified FROM u`;
  return rows.length > 0;
}

/**
 * Marks a trial failed for good (its last attempt errored, or it was given up by the queue)
 * and wakes the scheduler in the same statement. With `attempt`, only that run may do it;
 * without, any non-final trial is failed. Returns whether the trial changed.
 */
export async function failTrial(prisma: PrismaClient, trialId: string, error: string, attempt?: number): Promise<boolean> {
  const rows = await prisma.$queryRaw<unknown[]>`
    UPDATE trials SET status = 'failed', error = ${error.slice(0, 4000)}, finished_at = now(), updated_at = now()
    WHERE id = ${trialId}::uuid AND status IN ('queued', 'running')
      AND (${attempt ?? null}::int IS NULL OR attempts = ${attempt ?? null}::int)
    RETURNING pg_notify(${WAKE_CHANNEL}, search_id::text)::text AS notified`;
  return rows.length > 0;
}

/**
 * Hands a running trial back (graceful shutdown): status queued, worker cleared, so the next
 * delivery of its job claims it afresh. `attempts` keeps counting claims. Returns whether it changed.
 */
export async function releaseTrial(prisma: PrismaClient, trialId: string, attempt: number): Promise<boolean> {
  const n = await prisma.$executeRaw`
    UPDATE trials SET status = 'queued', worker_id = NULL, updated_at = now()
    WHERE id = ${trialId}::uuid AND status = 'running' AND attempts = ${attempt}::int`;
  return n > 0;
}

export async function isSearchCancelled(prisma: PrismaClient, searchId: string): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM searches WHERE id = ${searchId}::uuid`;
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
export async function runStates(prisma: PrismaClient, runs: ReadonlyArray<{ trialId: string; attempt: number }>): Promise<Map<string, RunState>> {
  const out = new Map<string, RunState>();
  if (runs.length === 0) return out;
  const rows = await prisma.$queryRaw<Array<{ id: string; status: string; attempts: number; search_status: string }>>`
    SELECT t.id::text AS id, t.status::text AS status, t.attempts, s.status::text AS search_status
    FROM trials t JOIN searches s ON s.id = t.search_id
    WHERE t.id = ANY(${runs.map((r) => r.trialId)}::uuid[])`;
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

const FINAL = new Set(["completed", "stopped", "failed", "cancelled"]);

async function isOwner(prisma: PrismaClient, trialId: string, attempt: number): Promise<boolean> {
  const rows = await prisma.$queryRaw<unknown[]>`
    SELECT 1 FROM trials WHERE id = ${trialId}::uuid AND status = 'running' AND attempts = ${attempt}::int`;
  return rows.length > 0;
}

/**
 * The curve upsert as a CTE body over `u` (the guarded UPDATE's RETURNING id): writes only when
 * the run still owns the trial. One row per epoch (last wins): ON CONFLICT cannot hit a row twice.
 */
function curveUpsert(points: readonly EpochMetrics[]): Prisma.Sql {
  const byEpoch = new Map(points.map((p) => [p.epoch, p]));
  const json = JSON.stringify(
    [...byEpoch.values()].map((p) => ({ epoch: p.epoch, tl: fin(p.trainLoss), vl: fin(p.valLoss), ta: fin(p.trainAccuracy), va: fin(p.valAccuracy) })),
  );
  return Prisma.sql`
    INSERT INTO epoch_metrics (trial_id, epoch, train_loss, val_loss, train_accuracy, val_accuracy)
    SELECT u.id, e.epoch, e.tl, e.vl, e.ta, e.va
    FROM u, jsonb_to_recordset(${json}::jsonb) AS e(epoch int, tl float8, vl float8, ta float8, va float8)
    ON CONFLICT (trial_id, epoch) DO UPDATE
    SET train_loss = EXCLUDED.train_loss, val_loss = EXCLUDED.val_loss,
        train_accuracy = EXCLUDED.train_accuracy, val_accuracy = EXCLUDED.val_accuracy, created_at = now()`;
}

/** `text` as a uuid, or NULL when it is not one (a stored config may be invalid; the worker reports that, not a cast error). */
function uuidOrNull(text: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(CASE WHEN ${text} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN (${text})::uuid END)`;
}

/** A finite number or null. */
function fin(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function parseObjective(v: unknown): TrialObjective {
  const o = (v ?? {}) as Partial<TrialObjective>;
  const metrics: TrialObjective["metric"][] = ["valAccuracy", "valLoss", "trainAccuracy", "trainLoss"];
  return {
    metric: metrics.includes(o.metric as TrialObjective["metric"]) ? (o.metric as TrialObjective["metric"]) : "valAccuracy",
    goal: o.goal === "minimize" ? "minimize" : "maximize",
  };
}
