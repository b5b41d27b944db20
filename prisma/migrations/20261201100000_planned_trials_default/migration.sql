-- The scheduler owns planned counts: the API stores a search without them (0 until the
-- scheduler plans round 0).
ALTER TABLE "searches" ALTER COLUMN "planned_trials" SET DEFAULT 0;
