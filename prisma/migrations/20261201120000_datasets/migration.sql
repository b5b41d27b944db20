-- Uploaded datasets (POST /v1/datasets). One row per content: `sha256` is the hash of `content`
-- (core's encoded table: features, labels, shape), so the same content is stored once and a
-- second upload of it returns the existing row. Workers fetch `content` by sha256 and cache it.
CREATE TABLE "datasets" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "label_column" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "features" INTEGER NOT NULL,
    "classes" INTEGER NOT NULL,
    "labels" JSONB NOT NULL,
    "shape" JSONB,
    "sha256" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "datasets_sha256_key" ON "datasets"("sha256");

CREATE INDEX "datasets_created_at_id_idx" ON "datasets"("created_at" DESC, "id" DESC);
