/**
 * The worker's database operations: one function per state transition of a trial run,
 * each atomic (one statement or one transaction).
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
 * Numbers: non-finite metric values are stored as NULL (the API's JSON cannot carry NaN).
 */
import type { EpochMetrics, TrialMetrics } from "@hps/contracts";
import { Prisma, type PrismaClient } from "./client.ts";

type Tx = Prisma.TransactionClient;

const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

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

/**
 * Takes a trial for one run, atomically (the trial row is locked for the transaction):
 * final → skip; search cancelled → trial cancelled (stopReason "cancelled") and skip;
 * otherwise status running, attempts + 1, workerId, startedAt on the first claim.
 * A trial already `running` (its previous run stalled) is taken over: the new attempt
 * fences the old run out.
 */
export async function claimTrial(prisma: PrismaClient, trialId: string, workerId: string): Promise<ClaimResult> {
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ status: string; search_status: string; objective: unknown; init_from: string | null }>>`
      SELECT t.status::text AS status, s.status::text AS search_status, s.spec->'objective' AS objective,
             t.config->'model'->'initFrom'->>'trialId' AS init_from
      FROM trials t JOIN searches s ON s.id = t.search_id
      WHERE t.id = ${trialId}::uuid
      FOR UPDATE OF t`;
    const row = rows[0];
    if (!row) return { kind: "skip", reason: "missing" } as const;
    if (FINAL.has(row.status)) return { kind: "skip", reason: "final" } as const;
    if (row.search_status === "cancelled") {
      await tx.$executeRaw`
        UPDATE trials SET status = 'cancelled', stop_reason = 'cancelled', finished_at = now(), updated_at = now()
        WHERE id = ${trialId}::uuid`;
      return { kind: "skip", reason: "cancelled" } as const;
    }
    const [claimed] = await tx.$queryRaw<Array<{ attempts: number; config: unknown }>>`
      UPDATE trials
      SET status = 'running', attempts = attempts + 1, worker_id = ${workerId},
          started_at = COALESCE(started_at, now()), error = NULL, updated_at = now()
      WHERE id = ${trialId}::uuid
      RETURNING attempts, config`;
    let initFrom: { trialId: string; params: Uint8Array | null } | null = null;
    if (row.init_from) {
      const art = await tx.trialArtifact.findUnique({ where: { trialId: row.init_from }, select: { data: true } });
      initFrom = { trialId: row.init_from, params: art ? new Uint8Array(art.data) : null };
    }
    return { kind: "run", attempt: claimed.attempts, config: claimed.config, objective: parseObjective(row.objective), initFrom } as const;
  }, TX_OPTIONS);
}

/**
 * Upserts curve points of a running trial (a retried run overwrites its predecessor's points)
 * and copies the latest point into the trial's live columns (epochs, losses, accuracies).
 * Returns false — and writes nothing — when the run no longer owns the trial.
 */
export async function recordEpochs(prisma: PrismaClient, trialId: string, attempt: number, epochs: readonly EpochMetrics[]): Promise<boolean> {
  if (epochs.length === 0) return isOwner(prisma, trialId, attempt);
  const latest = epochs.reduce((a, b) => (b.epoch > a.epoch ? b : a));
  return prisma.$transaction(async (tx) => {
    const n = await tx.$executeRaw`
      UPDATE trials
      SET epochs = GREATEST(epochs, ${latest.epoch}::int), final_loss = ${fin(latest.trainLoss)}::float8,
          val_loss = ${fin(latest.valLoss)}::float8, train_accuracy = ${fin(latest.trainAccuracy)}::float8,
          val_accuracy = ${fin(latest.valAccuracy)}::float8, updated_at = now()
      WHERE id = ${trialId}::uuid AND status = 'running' AND attempts = ${attempt}::int`;
    if (n === 0) return false;
    await upsertCurve(tx, trialId, epochs);
    return true;
  }, TX_OPTIONS);
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
 * attempt, in one transaction with the curve and the artifact. Returns whether this call won;
 * a second writer (a duplicate job, a superseded run) gets false and changes nothing.
 */
export async function finishTrial(prisma: PrismaClient, trialId: string, attempt: number, outcome: TrialOutcome): Promise<boolean> {
  const m = outcome.metrics;
  const objective = outcome.status === "completed" ? fin(outcome.objective) : null;
  return prisma.$transaction(async (tx) => {
    const n = await tx.$executeRaw`
      UPDATE trials
      SET status = ${outcome.status}::"TrialStatus", stop_reason = ${outcome.stopReason},
          initial_loss = ${fin(m.initialLoss)}::float8, final_loss = ${fin(m.finalLoss)}::float8,
          train_accuracy = ${fin(m.trainAccuracy)}::float8, val_accuracy = ${fin(m.valAccuracy)}::float8,
          val_loss = ${fin(m.valLoss)}::float8, epochs = ${m.epochs}::int, objective = ${objective}::float8,
          diagnostics = ${JSON.stringify(outcome.diagnostics)}::jsonb, error = NULL,
          finished_at = now(), updated_at = now()
      WHERE id = ${trialId}::uuid AND status = 'running' AND attempts = ${attempt}::int`;
    if (n === 0) return false;
    await upsertCurve(tx, trialId, outcome.curve);
    const last = outcome.curve.reduce((a, p) => Math.max(a, p.epoch), 0);
    await tx.$executeRaw`DELETE FROM epoch_metrics WHERE trial_id = ${trialId}::uuid AND epoch > ${last}::int`;
    if (outcome.artifact) {
      const data = new Uint8Array(outcome.artifact.data); // Prisma Bytes wants an ArrayBuffer-backed array
      await tx.trialArtifact.upsert({
        where: { trialId },
        create: { trialId, format: outcome.artifact.format, data },
        update: { format: outcome.artifact.format, data, createdAt: new Date() },
      });
    }
    return true;
  }, TX_OPTIONS);
}

/**
 * Marks a trial failed for good (its last attempt errored, or it was given up by the queue).
 * With `attempt`, only that run may do it; without, any non-final trial is failed.
 * Returns whether the trial changed.
 */
export async function failTrial(prisma: PrismaClient, trialId: string, error: string, attempt?: number): Promise<boolean> {
  const n = await prisma.$executeRaw`
    UPDATE trials SET status = 'failed', error = ${error.slice(0, 4000)}, finished_at = now(), updated_at = now()
    WHERE id = ${trialId}::uuid AND status IN ('queued', 'running')
      AND (${attempt ?? null}::int IS NULL OR attempts = ${attempt ?? null}::int)`;
  return n > 0;
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

async function upsertCurve(tx: Tx, trialId: string, points: readonly EpochMetrics[]): Promise<void> {
  if (points.length === 0) return;
  const byEpoch = new Map(points.map((p) => [p.epoch, p])); // one row per epoch (last wins): ON CONFLICT cannot hit a row twice
  const json = JSON.stringify(
    [...byEpoch.values()].map((p) => ({ epoch: p.epoch, tl: fin(p.trainLoss), vl: fin(p.valLoss), ta: fin(p.trainAccuracy), va: fin(p.valAccuracy) })),
  );
  await tx.$executeRaw`
    INSERT INTO epoch_metrics (trial_id, epoch, train_loss, val_loss, train_accuracy, val_accuracy)
    SELECT ${trialId}::uuid, e.epoch, e.tl, e.vl, e.ta, e.va
    FROM jsonb_to_recordset(${json}::jsonb) AS e(epoch int, tl float8, vl float8, ta float8, va float8)
    ON CONFLICT (trial_id, epoch) DO UPDATE
    SET train_loss = EXCLUDED.train_loss, val_loss = EXCLUDED.val_loss,
        train_accuracy = EXCLUDED.train_accuracy, val_accuracy = EXCLUDED.val_accuracy, created_at = now()`;
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
