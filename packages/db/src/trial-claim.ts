/**
 * claimTrial, the first statement of every trial run (see trial-runs-repo.ts for the state
 * machine and the fencing by attempt).
 */
import { isFinalTrial, Objective, Pruner, TrialStatus } from "@hps/contracts";
import { unpackArtifact } from "./artifact-codec.ts";
import { prepared, type Conn } from "./connection.ts";
import { WAKE_CHANNEL } from "./wakeups.ts";

export type ClaimResult =
  | {
      kind: "run";
      /** The run's fencing token: trials.attempts after this claim (1 on the first claim). */
      attempt: number;
      /** trials.config as stored (the caller parses it with TrialConfig). */
      config: unknown;
      /** The search spec's objective (the contract's defaults fill what the stored spec lacks). */
      objective: Objective;
      /** The round's pruner (the worker asks it at each epoch): the spec's `strategy.pruner`, or a user-appended round's own; null for none. */
      pruner: Pruner | null;
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

/** `t.config`'s fine-tune source as a uuid, or NULL when absent or not a uuid (an invalid stored config is reported by the worker's parse, not by a cast error here). */
const INIT_FROM_ID = `(CASE WHEN t.config->'model'->'initFrom'->>'trialId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  THEN (t.config->'model'->'initFrom'->>'trialId')::uuid END)`;

/**
 * The claim of a batch: $1 trial ids, $2 worker ids (same length; ids distinct — the Batcher
 * keeps a trial's second delivery out of its first one's batch).
 */
const CLAIM_SQL = `
  UPDATE trials t
  SET status = 'running', attempts = t.attempts + 1, worker_id = v.worker_id,
      started_at = COALESCE(t.started_at, now()), error = NULL, updated_at = now()
  FROM unnest($1::uuid[], $2::text[]) AS v(id, worker_id), searches s
  WHERE t.id = v.id AND s.id = t.search_id AND t.status IN ('queued', 'running') AND s.status <> 'cancelled'
  RETURNING t.id::text AS id, t.attempts, t.config, s.spec->'objective' AS objective,
    -- a round the user appended carries its own pruner (NULL: none); others use the spec's
    CASE WHEN EXISTS (SELECT 1 FROM round_edits e WHERE e.search_id = t.search_id AND e.index = t.round)
      THEN (SELECT e.pruner FROM round_edits e WHERE e.search_id = t.search_id AND e.index = t.round)
      ELSE s.spec->'strategy'->'pruner' END AS pruner,
    t.config->'model'->'initFrom'->>'trialId' AS init_from,
    (SELECT a.data FROM trial_artifacts a WHERE a.trial_id = ${INIT_FROM_ID}) AS init_params`;

export interface ClaimRequest {
  trialId: string;
  workerId: string;
}

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
export async function claimTrial(c: Conn, trialId: string, workerId: string): Promise<ClaimResult> {
  return (await claimTrials(c, [{ trialId, workerId }]))[0]!;
}

/**
 * claimTrial for many distinct trials in ONE statement (the worker's Batcher sends concurrent
 * claims together): each row is claimed or not exactly as by its own statement; the rows the
 * UPDATE did not match go through claimTrial's slow path one by one.
 */
export async function claimTrials(c: Conn, reqs: readonly ClaimRequest[]): Promise<ClaimResult[]> {
  if (new Set(reqs.map((r) => r.trialId)).size !== reqs.length) throw new Error("claimTrials: a trial id appears twice in one batch");
  const out = new Array<ClaimResult | undefined>(reqs.length);
  let todo = reqs.map((r, i) => ({ ...r, i }));
  for (let attempt = 0; attempt < CLAIM_TRIES && todo.length > 0; attempt++) {
    const { rows } = await prepared<{ id: string; attempts: number; config: unknown; objective: unknown; pruner: unknown; init_from: string | null; init_params: Buffer | null }>(
      c, "trial_runs_claim_trials", CLAIM_SQL, [todo.map((r) => r.trialId), todo.map((r) => r.workerId)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const unclaimed: typeof todo = [];
    for (const r of todo) {
      const row = byId.get(r.trialId);
      if (!row) {
        unclaimed.push(r);
        continue;
      }
      const initFrom = row.init_from ? { trialId: row.init_from, params: row.init_params ? await unpackArtifact(row.init_params) : null } : null;
      out[r.i] = { kind: "run", attempt: row.attempts, config: row.config, objective: Objective.parse(row.objective ?? {}), pruner: row.pruner ? Pruner.parse(row.pruner) : null, initFrom };
    }
    todo = [];
    for (const r of unclaimed) {
      const skip = await whyNotClaimable(c, r.trialId);
      if (skip) out[r.i] = { kind: "skip", reason: skip };
      else todo.push(r); // neither claimable a moment ago nor final or cancelled now: it changed in between; look again
    }
  }
  if (todo.length > 0) throw new Error(`trial ${todo[0]!.trialId}: its state kept changing while claiming it`);
  return out as ClaimResult[];
}

/**
 * The slow path of claimTrial: no row, a final trial, or a cancelled search (whose open trial
 * is cancelled here, waking the scheduler in the same statement). null: the trial is open
 * and its search is not cancelled (it changed since the claim looked), so the claim may retry.
 */
async function whyNotClaimable(c: Conn, trialId: string): Promise<"missing" | "final" | "cancelled" | null> {
  // The SELECT sees the snapshot from before the CTE's UPDATE: `cancelled` tells whether it applied.
  const { rows } = await prepared<{ status: string; cancelled: boolean }>(
    c, "trial_runs_why_not_claimable",
    `WITH c AS (
       UPDATE trials t SET status = 'cancelled', stop_reason = 'cancelled', finished_at = now(), updated_at = now()
       FROM searches s
       WHERE t.id = $1 AND s.id = t.search_id AND t.status IN ('queued', 'running') AND s.status = 'cancelled'
       RETURNING pg_notify($2, t.search_id::text)::text AS notified)
     SELECT t.status::text AS status, EXISTS (SELECT 1 FROM c) AS cancelled FROM trials t WHERE t.id = $1`,
    [trialId, WAKE_CHANNEL],
  );
  const row = rows[0];
  if (!row) return "missing";
  if (row.cancelled) return "cancelled";
  if (isFinalTrial(TrialStatus.parse(row.status))) return "final";
  return null;
}
