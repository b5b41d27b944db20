-- The trials trigger's skip conditions, made exact (issue 9, the changes feed).
--
--  * "Only enqueued_at moved" (the scheduler's bookkeeping, invisible to clients) was decided from
--    three columns: a statement that moved enqueued_at and changed anything else without touching
--    updated_at or status (say, enqueued_at and rank together) was skipped — no version bump, no
--    change_seq, so the feed and the ETag never showed it. Now a statement is skipped only when
--    every row it touched is unchanged in every column but enqueued_at (jsonb of the row minus that
--    key; EXISTS stops at the first row that differs, so the cost is per skipped row only).
--  * The trigger's own stamping UPDATE was recognised by pg_trigger_depth() > 1, which also skipped
--    any trials UPDATE issued from inside another trigger (a cascade, a future trigger): those
--    changes would bump no version. Now the stamping statement alone is marked, by a
--    transaction-local setting around it.
--
-- Unchanged: the lock order and the version's meaning (see 20261201120000).

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
    PERFORM set_config('hps.stamping', 'on', true);
    UPDATE trials t SET change_seq = s.version FROM new_rows n JOIN search_stats s ON s.search_id = n.search_id WHERE t.id = n.id;
    PERFORM set_config('hps.stamping', 'off', true);
  ELSIF TG_OP = 'UPDATE' THEN
    IF current_setting('hps.stamping', true) = 'on' OR NOT EXISTS (
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
    PERFORM set_config('hps.stamping', 'on', true);
    UPDATE trials t SET change_seq = s.version FROM new_rows n JOIN search_stats s ON s.search_id = n.search_id WHERE t.id = n.id;
    PERFORM set_config('hps.stamping', 'off', true);
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
