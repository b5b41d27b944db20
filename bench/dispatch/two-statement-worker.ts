/**
 * EXPERIMENT — not the product's worker. What the dispatch path costs when a worker's
 * per-trial database work is two statements on plain `pg` (claim: one UPDATE … RETURNING;
 * finish: one statement whose CTEs write the result and the curve point and send the
 * scheduler's NOTIFY) and nothing else. It led to the product worker's current shape
 * (trial-claim.ts / trial-runs-repo.ts: the same two statements, prepared, on the pg pool
 * beneath Prisma; it used to take ~10 round trips in Prisma interactive transactions). It
 * still skips what the real worker also does (config parsing, diagnostics, the progress
 * buffer, the cancel watcher, retries), so it stays an upper bound.
 *   HPS_BENCH_WORKER=bench/dispatch/two-statement-worker.ts pnpm bench:dispatch --optuna none
 */
import pg from "pg";
import { BullConsumer } from "@hps/queue";
const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 64);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 8 });
const consumer = new BullConsumer({ redisUrl: process.env.REDIS_URL!, prefix: process.env.HPS_QUEUE_PREFIX, concurrency });
const wid = process.env.HPS_WORKER_ID ?? "x";
consumer.start(async (job) => {
  const c = await pool.query(
    `UPDATE trials t SET status='running', attempts=t.attempts+1, worker_id=$2, started_at=coalesce(t.started_at, now()), updated_at=now()
     FROM searches s WHERE t.id=$1 AND s.id=t.search_id AND t.status IN ('queued','running') AND s.status <> 'cancelled'
     RETURNING t.attempts, t.config`, [job.trialId, wid]);
  if (!c.rowCount) return;
  const lr = c.rows[0].config.training.learningRate as number;
  const acc = 1 / (1 + Math.abs(Math.log10(lr) + 1));
  await pool.query(
    `WITH u AS (UPDATE trials SET status='completed', initial_loss=1.1, final_loss=$3, train_accuracy=$4, val_accuracy=$4, val_loss=$3, epochs=1, objective=$4,
       finished_at=now(), updated_at=now() WHERE id=$1 AND status='running' AND attempts=$2 RETURNING id, search_id),
     e AS (INSERT INTO epoch_metrics (trial_id, epoch, train_loss, val_loss, train_accuracy, val_accuracy) SELECT id, 1, $3, $3, $4, $4 FROM u
       ON CONFLICT (trial_id, epoch) DO UPDATE SET train_loss = EXCLUDED.train_loss)
     SELECT pg_notify('hps_scheduler_wake', search_id::text) FROM u`, [job.trialId, c.rows[0].attempts, 1 - acc, acc]);
});
await pool.query("SELECT 1");
const atReady = process.cpuUsage();
console.log("ready");
process.on("SIGTERM", () => {
  const u = process.cpuUsage(atReady);
  if (process.env.HPS_BENCH_PROFILE) console.error(`exp worker: cpu after ready ${((u.user + u.system) / 1e6).toFixed(2)} s`);
  void consumer.close({ timeoutMs: 1000 }).then(() => pool.end()).finally(() => process.exit(0));
});
