-- The changes feed's key moves out of `trials` into its own narrow table (issue 11, dispatch).
--
-- The trials trigger stamped every row a statement changed with the statement's trial version
-- (trials.change_seq) by a second UPDATE of the same rows. change_seq is indexed, so that UPDATE
-- rewrote each wide row (its config and params) and inserted into all seven of trials' indexes:
-- measured on one connection over a 2,000-trial search's statements (insert, enqueue, claim and
-- finish in batches of 8, rank), 1,020 ms with the stamp, 640 ms without it, 530 ms without any
-- trigger. Now the trigger upserts (trial_id, search_id, change_seq) into trial_changes: a small
-- row and two indexes, 670 ms on the same measurement. The recursion guard (hps.stamping) goes with
-- the second UPDATE: the trigger no longer writes trials.
--
-- Unchanged: what a version is and when it is assigned (under the search_stats row lock, held to
-- commit, so versions of one search become visible in order), the lock order, the skip of
-- enqueued_at-only statements, and the feed's (change_seq, id) order and cursors.

CREATE TABLE "trial_changes" (
    "trial_id" UUID NOT NULL,
    "search_id" UUID NOT NULL,
    "change_seq" BIGINT NOT NULL,

    CONSTRAINT "trial_changes_pkey" PRIMARY KEY ("trial_id")
);

CREATE INDEX "trial_changes_search_id_change_seq_trial_id_idx" ON "trial_changes"("search_id", "change_seq", "trial_id");

ALTER TABLE "trial_changes" ADD CONSTRAINT "trial_changes_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "trial_changes" ("trial_id", "search_id", "change_seq") SELECT "id", "search_id", "change_seq" FROM "trials";

DROP INDEX "trials_search_id_change_seq_id_idx";
ALTER TABLE "trials" DROP COLUMN "change_seq";

CREATE OR REPLACE FUNCTION "hps_trials_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    PERFORM 1 FROM search_stats WHERE search_id IN (SELECT search_id FROM new_rows) ORDER BY search_id FOR UPDATE;
    UPDATE search_stats s SET version = s.version + 1 WHERE s.search_id IN (SELECT search_id FROM new_rows);
    INSERT INTO trial_counts AS c (search_id, round, queued, running, completed, stopped, failed, cancelled)
      SELECT search_id, round,
             count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
             count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'stopped'),
             count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'cancelled')
      FROM new_rows GROUP BY search_id, round
    ON CONFLICT (search_id, round) DO UPDATE SET
      queued = c.queued + EXCLUDED.queued, running = c.running + EXCLUDED.running,
      completed = c.completed + EXCLUDED.completed, stopped = c.stopped + EXCLUDED.stopped,
      failed = c.failed + EXCLUDED.failed, cancelled = c.cancelled + EXCLUDED.cancelled;
    INSERT INTO trial_changes AS x (trial_id, search_id, change_seq)
      SELECT n.id, n.search_id, s.version FROM new_rows n JOIN search_stats s ON s.search_id = n.search_id
    ON CONFLICT (trial_id) DO UPDATE SET change_seq = EXCLUDED.change_seq;
  ELSIF TG_OP = 'UPDATE' THEN
    IF NOT EXISTS (
      SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (to_jsonb(n) - 'enqueued_at') IS DISTINCT FROM (to_jsonb(o) - 'enqueued_at')
    ) THEN
      RETURN NULL;
    END IF;
    PERFORM 1 FROM search_stats WHERE search_id IN (SELECT search_id FROM new_rows) ORDER BY search_id FOR UPDATE;
    UPDATE search_stats s SET version = s.version + 1 WHERE s.search_id IN (SELECT search_id FROM new_rows);
    UPDATE trial_counts c SET
      queued = c.queued + d.queued, running = c.running + d.running, completed = c.completed + d.completed,
      stopped = c.stopped + d.stopped, failed = c.failed + d.failed, cancelled = c.cancelled + d.cancelled
    FROM (
      SELECT search_id, round,
             COALESCE(sum(dn) FILTER (WHERE status = 'queued'), 0) AS queued, COALESCE(sum(dn) FILTER (WHERE status = 'running'), 0) AS running,
             COALESCE(sum(dn) FILTER (WHERE status = 'completed'), 0) AS completed, COALESCE(sum(dn) FILTER (WHERE status = 'stopped'), 0) AS stopped,
             COALESCE(sum(dn) FILTER (WHERE status = 'failed'), 0) AS failed, COALESCE(sum(dn) FILTER (WHERE status = 'cancelled'), 0) AS cancelled
      FROM (SELECT search_id, round, status, 1 AS dn FROM new_rows
            UNION ALL SELECT search_id, round, status, -1 FROM old_rows) x
      GROUP BY search_id, round
    ) d
    WHERE c.search_id = d.search_id AND c.round = d.round
      AND (d.queued, d.running, d.completed, d.stopped, d.failed, d.cancelled) <> (0, 0, 0, 0, 0, 0);
    INSERT INTO trial_changes AS x (trial_id, search_id, change_seq)
      SELECT n.id, n.search_id, s.version FROM new_rows n JOIN search_stats s ON s.search_id = n.search_id
    ON CONFLICT (trial_id) DO UPDATE SET change_seq = EXCLUDED.change_seq;
  ELSE
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    PERFORM 1 FROM search_stats WHERE search_id IN (SELECT search_id FROM old_rows) ORDER BY search_id FOR UPDATE;
    UPDATE search_stats s SET version = s.version + 1 WHERE s.search_id IN (SELECT search_id FROM old_rows);
    UPDATE trial_counts c SET
      queued = c.queued - d.queued, running = c.running - d.running, completed = c.completed - d.completed,
      stopped = c.stopped - d.stopped, failed = c.failed - d.failed, cancelled = c.cancelled - d.cancelled
    FROM (
      SELECT search_id, round,
             count(*) FILTER (WHERE status = 'queued') AS queued, count(*) FILTER (WHERE status = 'running') AS running,
             count(*) FILTER (WHERE status = 'completed') AS completed, count(*) FILTER (WHERE status = 'stopped') AS stopped,
             count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE status = 'cancelled') AS cancelled
      FROM old_rows GROUP BY search_id, round
    ) d
    WHERE c.search_id = d.search_id AND c.round = d.round;
  END IF;
  RETURN NULL;
END $$;
