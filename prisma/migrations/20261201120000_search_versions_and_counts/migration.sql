-- Polls that cost nothing (issue 9): a search's trial counts and versions are maintained by
-- the statements that change its trials, so reading them is a primary-key lookup instead of
-- grouping every trial.
--
--  * searches.version: bumped by every UPDATE of the search row (its own BEFORE trigger; no
--    other row is locked).
--  * search_stats.version: bumped once per statement that changes any of the search's trials
--    (AFTER ... FOR EACH STATEMENT with transition tables, so a 100,000-row cancel is one bump,
--    not 100,000). The bump takes the search_stats row lock, held until the writer commits:
--    versions of one search therefore become visible in increasing order.
--  * trials.change_seq: the search_stats.version of the statement that last changed the trial
--    (stamped by that trigger). Because of the ordering above, a reader that has seen version
--    v has seen every change with change_seq <= v: the changed-trials feed keyed on
--    (change_seq, id) cannot miss a late commit (updated_at could: a writer's clock, stamped
--    before commit).
--  * trial_counts: per (search, round) counts by status, updated by the same trigger from the
--    transition tables' status deltas — exact under retries and concurrent workers because it
--    is part of each writing statement (a rolled-back statement rolls its deltas back).
--
-- Lock order: trial rows (the statement's own), then search_stats (sorted by search id), then
-- trial_counts. The trigger runs at the end of the statement, after every trial row lock it
-- needs is held, so a long transaction (the API's cancel) never holds search_stats while it
-- waits for a trial row a worker holds. A statement that only moved enqueued_at (the
-- scheduler's bookkeeping, invisible to clients) or changed no row does nothing; nor does the
-- trigger's own stamping UPDATE (depth > 1).

ALTER TABLE "searches" ADD COLUMN "version" BIGINT NOT NULL DEFAULT 1;
ALTER TABLE "trials" ADD COLUMN "change_seq" BIGINT NOT NULL DEFAULT 0;

CREATE TABLE "search_stats" (
    "search_id" UUID NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT "search_stats_pkey" PRIMARY KEY ("search_id"),
    CONSTRAINT "search_stats_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "trial_counts" (
    "search_id" UUID NOT NULL,
    "round" INTEGER NOT NULL,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "running" INTEGER NOT NULL DEFAULT 0,
    "completed" INTEGER NOT NULL DEFAULT 0,
    "stopped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "trial_counts_pkey" PRIMARY KEY ("search_id", "round"),
    CONSTRAINT "trial_counts_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Keyset pages at 100k rows: rank order is (rank ASC NULLS LAST, round, index) — btree's
-- default null placement for ASC, so one index range scan serves it; the changes feed reads
-- (change_seq, id); the best trial before the first ranking reads the objective index.
-- updated_at is no longer an index key (it changes on every write and kept updates off HOT).
DROP INDEX "trials_search_id_rank_idx";
DROP INDEX "trials_search_id_updated_at_idx";
CREATE INDEX "trials_search_id_rank_round_index_idx" ON "trials"("search_id", "rank", "round", "index");
CREATE INDEX "trials_search_id_change_seq_id_idx" ON "trials"("search_id", "change_seq", "id");
CREATE INDEX "trials_search_id_objective_id_idx" ON "trials"("search_id", "objective", "id");

-- Backfill for searches that exist already.
INSERT INTO "search_stats" ("search_id") SELECT "id" FROM "searches";
INSERT INTO "trial_counts" ("search_id", "round", "queued", "running", "completed", "stopped", "failed", "cancelled")
SELECT "search_id", "round",
       count(*) FILTER (WHERE "status" = 'queued'), count(*) FILTER (WHERE "status" = 'running'),
       count(*) FILTER (WHERE "status" = 'completed'), count(*) FILTER (WHERE "status" = 'stopped'),
       count(*) FILTER (WHERE "status" = 'failed'), count(*) FILTER (WHERE "status" = 'cancelled')
FROM "trials" GROUP BY "search_id", "round";

CREATE FUNCTION "hps_search_created"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_stats (search_id) SELECT id FROM new_rows ON CONFLICT (search_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION "hps_search_bump_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END $$;

-- The status deltas of one statement (new rows count +1, old rows -1), applied to
-- trial_counts; the touched searches' versions bumped; the new/updated rows stamped.
CREATE FUNCTION "hps_trials_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    UPDATE trials t SET change_seq = s.version FROM new_rows n JOIN search_stats s ON s.search_id = n.search_id WHERE t.id = n.id;
  ELSIF TG_OP = 'UPDATE' THEN
    IF pg_trigger_depth() > 1 OR NOT EXISTS (
      SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.enqueued_at IS NOT DISTINCT FROM o.enqueued_at OR n.updated_at IS DISTINCT FROM o.updated_at OR n.status IS DISTINCT FROM o.status
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
    UPDATE trials t SET change_seq = s.version FROM new_rows n JOIN search_stats s ON s.search_id = n.search_id WHERE t.id = n.id;
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

CREATE TRIGGER "searches_created" AFTER INSERT ON "searches"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "hps_search_created"();
CREATE TRIGGER "searches_bump_version" BEFORE UPDATE ON "searches"
  FOR EACH ROW EXECUTE FUNCTION "hps_search_bump_version"();

CREATE TRIGGER "trials_inserted" AFTER INSERT ON "trials"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "hps_trials_changed"();
CREATE TRIGGER "trials_updated" AFTER UPDATE ON "trials"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "hps_trials_changed"();
CREATE TRIGGER "trials_deleted" AFTER DELETE ON "trials"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "hps_trials_changed"();
