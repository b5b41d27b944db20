/**
 * Chart data per (search, trial version), computed once: 50 dashboards polling a 100k-trial
 * search share one read of its rows and one computation per change, and concurrent requests
 * for the same version wait on the same promise. A few searches are kept (least recently used out).
 */
import { buildChartPoints, parallelCoordinates, paramImportance, IMPORTANCE_METHOD } from "@hps/search";
import { Objective, Space, type ChartPoints, type SearchAnalysis } from "@hps/contracts";
import type { Db } from "@hps/db";

export interface ChartData {
  version: string;
  points: ChartPoints;
  analysis: SearchAnalysis;
  /** The two bodies serialised once (100k-entry arrays are too costly to validate and stringify per request). */
  pointsJson: string;
  analysisJson: string;
}

export class ChartCache {
  private readonly entries = new Map<string, Promise<ChartData | null>>();

  constructor(
    private readonly db: Pick<Db, "trials">,
    private readonly maxSearches = 8,
  ) {}

  /** The chart data at the search's current version (or newer); null when there is no such search. */
  async get(searchId: string, version: string): Promise<ChartData | null> {
    const key = `${searchId}@${version}`;
    let hit = this.entries.get(key);
    if (!hit) {
      hit = this.compute(searchId);
      for (const k of this.entries.keys()) if (k.startsWith(`${searchId}@`)) this.entries.delete(k);
      hit.catch(() => this.entries.delete(key));
    } else {
      this.entries.delete(key);
    }
    this.entries.set(key, hit);
    while (this.entries.size > this.maxSearches) this.entries.delete(this.entries.keys().next().value!);
    return hit;
  }

  private async compute(searchId: string): Promise<ChartData | null> {
    const read = await this.db.trials.chartRows(searchId);
    if (!read) return null;
    const spec = (read.spec ?? {}) as { space?: unknown; objective?: unknown };
    const space = Space.safeParse(spec.space ?? {});
    const points = buildChartPoints({ searchId, objective: Objective.parse(spec.objective ?? {}), space: space.success ? space.data : {}, rows: read.rows });
    const importance = paramImportance(points);
    const analysis: SearchAnalysis = { searchId, parallel: parallelCoordinates(points), importance: { method: IMPORTANCE_METHOD, trials: importance.trials, params: importance.params } };
    return { version: read.version, points, analysis, pointsJson: JSON.stringify(points), analysisJson: JSON.stringify(analysis) };
  }
}
