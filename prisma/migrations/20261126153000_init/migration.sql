-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SearchStatus" AS ENUM ('queued', 'running', 'completed', 'cancelled', 'failed');

-- CreateEnum
CREATE TYPE "TrialStatus" AS ENUM ('queued', 'running', 'completed', 'stopped', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "searches" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "status" "SearchStatus" NOT NULL DEFAULT 'queued',
    "spec" JSONB NOT NULL,
    "planned_trials" INTEGER NOT NULL,
    "best_trial_id" UUID,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "searches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rounds" (
    "id" UUID NOT NULL,
    "search_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "space" JSONB NOT NULL,
    "narrowing" JSONB NOT NULL DEFAULT '{}',
    "planned_trials" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rounds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trials" (
    "id" UUID NOT NULL,
    "search_id" UUID NOT NULL,
    "round" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "params" JSONB NOT NULL,
    "config" JSONB NOT NULL,
    "status" "TrialStatus" NOT NULL DEFAULT 'queued',
    "stop_reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "worker_id" TEXT,
    "initial_loss" DOUBLE PRECISION,
    "final_loss" DOUBLE PRECISION,
    "train_accuracy" DOUBLE PRECISION,
    "val_accuracy" DOUBLE PRECISION,
    "val_loss" DOUBLE PRECISION,
    "epochs" INTEGER NOT NULL DEFAULT 0,
    "objective" DOUBLE PRECISION,
    "rank" INTEGER,
    "diagnostics" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "enqueued_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "trials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "epoch_metrics" (
    "trial_id" UUID NOT NULL,
    "epoch" INTEGER NOT NULL,
    "train_loss" DOUBLE PRECISION,
    "val_loss" DOUBLE PRECISION,
    "train_accuracy" DOUBLE PRECISION,
    "val_accuracy" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "epoch_metrics_pkey" PRIMARY KEY ("trial_id","epoch")
);

-- CreateTable
CREATE TABLE "trial_artifacts" (
    "trial_id" UUID NOT NULL,
    "format" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trial_artifacts_pkey" PRIMARY KEY ("trial_id")
);

-- CreateIndex
CREATE INDEX "searches_status_idx" ON "searches"("status");

-- CreateIndex
CREATE INDEX "searches_created_at_id_idx" ON "searches"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "rounds_search_id_index_key" ON "rounds"("search_id", "index");

-- CreateIndex
CREATE INDEX "trials_search_id_status_idx" ON "trials"("search_id", "status");

-- CreateIndex
CREATE INDEX "trials_search_id_rank_idx" ON "trials"("search_id", "rank");

-- CreateIndex
CREATE INDEX "trials_search_id_created_at_id_idx" ON "trials"("search_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "trials_search_id_updated_at_idx" ON "trials"("search_id", "updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "trials_search_id_round_index_key" ON "trials"("search_id", "round", "index");

-- AddForeignKey
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trials" ADD CONSTRAINT "trials_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "epoch_metrics" ADD CONSTRAINT "epoch_metrics_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trial_artifacts" ADD CONSTRAINT "trial_artifacts_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE CASCADE;

