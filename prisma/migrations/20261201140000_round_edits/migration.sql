-- Rounds the user appended (POST /v1/searches/:id/rounds), stored by the API with every default
-- resolved; the scheduler starts round `index` from its edit instead of narrowing automatically.
-- UNIQUE (search_id, index): two edits can never claim the same place in the round sequence.
CREATE TABLE "round_edits" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "search_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "space" JSONB NOT NULL,
    "trials" INTEGER NOT NULL,
    "epochs" INTEGER NOT NULL,
    "pruner" JSONB,
    "reasons" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "round_edits_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "round_edits_search_id_index_key" ON "round_edits"("search_id", "index");

ALTER TABLE "round_edits" ADD CONSTRAINT "round_edits_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE CASCADE ON UPDATE CASCADE;
