/**
 * The rows behind the dashboard's charts: every trial of a search with the columns the
 * charts draw (no config, no diagnostics), in creation order, plus the trial version they
 * were read at — one sequential pass over the search's trials (~100k rows in a few hundred
 * ms), which the API caches per version so polls never repeat it.
 */
import type { ChartTrialRow, TrialStatus } from "@hps/contracts";
import type { Conn } from "./connection.ts";

/** The chart row shape is the contracts' ChartTrialRow (packages/search consumes it). */
export type ChartRow = ChartTrialRow;

export interface ChartRows {
  /** The search's trial version (search_stats.version), read before the rows: the rows are at least that new. */
  version: string;
  spec: unknown;
  rows: ChartRow[];
}

/** The search's trial version alone (the charts' ETag); null when there is no such search. */
export async function trialsVersion(c: Conn, searchId: string): Promise<string | null> {
  const { rows } = await c.pool.query<{ v: string }>(`SELECT version::text AS v FROM search_stats WHERE search_id = $1::uuid`, [searchId]);
  return rows[0]?.v ?? null;
}

export async function chartRows(c: Conn, searchId: string): Promise<ChartRows | null> {
  const head = await c.pool.query<{ v: string; spec: unknown }>(
    `SELECT st.version::text AS v, s.spec FROM searches s JOIN search_stats st ON st.search_id = s.id WHERE s.id = $1::uuid`,
    [searchId],
  );
  if (!head.rows[0]) return null;
  const { rows } = await c.pool.query<{
    round: number; index: number; status: TrialStatus; stop_reason: string | null; objective: number | null;
    train_accuracy: number | null; val_accuracy: number | null; epochs: number; finished_ms: number | null; params: Record<string, unknown>;
  }>(
    `SELECT round, index, status::text AS status, stop_reason, objective, train_accuracy, val_accuracy, epochs,
            (extract(epoch FROM finished_at) * 1000)::float8 AS finished_ms, params
     FROM trials WHERE search_id = $1::uuid ORDER BY round, index`,
    [searchId],
  );
  return {
    version: head.rows[0].v,
    spec: head.rows[0].spec,
    rows: rows.map((r) => ({
      round: r.round, index: r.index, status: r.status, stopReason: r.stop_reason, objective: r.objective,
      trainAccuracy: r.train_accuracy, valAccuracy: r.val_accuracy, epochs: r.epochs, finishedAt: r.finished_ms, params: r.params ?? {},
    })),
  };
}
