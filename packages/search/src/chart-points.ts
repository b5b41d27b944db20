/**
 * A search's trials as the dashboard's columns (ChartPoints): one entry per trial in each
 * array, numbers rounded to 6 significant digits (the charts cannot show more, and it
 * roughly halves the JSON). Pure: the rows come from the database, the space from the spec.
 */
import { TrialStatus, StopReason, type ChartPoints, type ChartTrialRow, type ParamColumn, type Space, type AxisScale } from "@hps/contracts";

/** A trial as the charts read it (defined once in contracts; packages/db reads them). */
export type PointRow = ChartTrialRow;

export interface ChartPointsInput {
  searchId: string;
  objective: ChartPoints["objective"];
  space: Space;
  /** In creation order (round, index). */
  rows: readonly PointRow[];
}

export function buildChartPoints({ searchId, objective, space, rows }: ChartPointsInput): ChartPoints {
  const statuses = TrialStatus.options as readonly string[];
  const stopReasons = StopReason.options as readonly string[];
  const finishOrder = finishOrderOf(rows);
  return {
    searchId,
    objective,
    n: rows.length,
    round: rows.map((r) => r.round),
    index: rows.map((r) => r.index),
    status: rows.map((r) => statuses.indexOf(r.status)),
    statuses: [...statuses],
    stopReason: rows.map((r) => (r.stopReason === null ? null : nullIfMissing(stopReasons.indexOf(r.stopReason)))),
    stopReasons: [...stopReasons],
    value: rows.map((r) => round6(r.objective)),
    finishOrder,
    trainAccuracy: rows.map((r) => round6(r.trainAccuracy)),
    valAccuracy: rows.map((r) => round6(r.valAccuracy)),
    epochs: rows.map((r) => r.epochs),
    params: Object.entries(space).map(([path, dist]) => paramColumn(path, dist, rows)),
  };
}

function paramColumn(path: string, dist: Space[string], rows: readonly PointRow[]): ParamColumn {
  if (dist.type === "choice") {
    const labels = dist.values.map((v) => JSON.stringify(v));
    const at = new Map(labels.map((l, i) => [l, i]));
    return { path, scale: "choice", choices: labels, values: rows.map((r) => (path in r.params ? (at.get(JSON.stringify(r.params[path])) ?? null) : null)) };
  }
  const scale: AxisScale = dist.type === "loguniform" ? "log" : "linear";
  return { path, scale, values: rows.map((r) => (typeof r.params[path] === "number" ? round6(r.params[path] as number) : null)) };
}

/** 1-based positions by (finishedAt, creation order) for final trials; null for open ones. */
function finishOrderOf(rows: readonly PointRow[]): Array<number | null> {
  const done = rows.map((r, i) => i).filter((i) => rows[i]!.finishedAt !== null);
  done.sort((a, b) => rows[a]!.finishedAt! - rows[b]!.finishedAt! || a - b);
  const out: Array<number | null> = rows.map(() => null);
  done.forEach((i, k) => (out[i] = k + 1));
  return out;
}

export function round6(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(6));
}

function nullIfMissing(i: number): number | null {
  return i < 0 ? null : i;
}
