/**
 * Row → contract mapping for trials: what the API returns and what other services may
 * reuse (e.g. the scheduler's log lines, tests). Pure functions, no queries.
 */
import { StopReason, type EpochMetrics, type Trial, type TrialMetrics } from "@hps/contracts";
import type { EpochMetric as EpochMetricRow, Trial as TrialRow } from "./generated/client.ts";

/**
 * The contract's Trial. `metrics` is null until the trial has something to report:
 * at least one epoch, an initial loss, or a completed/stopped outcome (a trial stopped
 * in its first epoch has an initial loss but zero full epochs).
 */
export function toTrialDto(row: TrialRow): Trial {
  return {
    id: row.id,
    searchId: row.searchId,
    round: row.round,
    index: row.index,
    params: asRecord(row.params),
    status: row.status,
    stopReason: asStopReason(row.stopReason),
    rank: row.rank,
    attempts: row.attempts,
    workerId: row.workerId,
    metrics: hasMetrics(row) ? metricsOf(row) : null,
    diagnostics: asStrings(row.diagnostics),
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt ? row.startedAt.toISOString() : null,
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}

/** One point of a learning curve. */
export function toEpochDto(row: EpochMetricRow): EpochMetrics {
  return {
    epoch: row.epoch,
    trainLoss: finite(row.trainLoss),
    valLoss: finite(row.valLoss),
    trainAccuracy: finite(row.trainAccuracy),
    valAccuracy: finite(row.valAccuracy),
  };
}

function hasMetrics(row: TrialRow): boolean {
  return row.epochs > 0 || row.initialLoss !== null || row.status === "completed" || row.status === "stopped";
}

function metricsOf(row: TrialRow): TrialMetrics {
  return {
    initialLoss: finite(row.initialLoss),
    finalLoss: finite(row.finalLoss),
    trainAccuracy: finite(row.trainAccuracy),
    valAccuracy: finite(row.valAccuracy),
    valLoss: finite(row.valLoss),
    epochs: row.epochs,
  };
}

/** JSON has no NaN/Infinity: a diverged loss stored as such is reported as null. */
function finite(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((d) => (typeof d === "string" ? d : JSON.stringify(d))) : [];
}

/** stop_reason is free text in the table; anything outside the contract's enum is not reported. */
function asStopReason(v: string | null): StopReason | null {
  const r = StopReason.safeParse(v);
  return r.success ? r.data : null;
}
