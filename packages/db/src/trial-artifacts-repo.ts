/** A trial's stored artifact (the worker writes it in finishTrial): what GET /v1/trials/:id/model serves. */
import { unpackArtifact } from "./artifact-codec.ts";
import type { Conn } from "./connection.ts";

export interface StoredArtifact {
  trialId: string;
  /** The worker's format tag ("hps-model": core's model file). */
  format: string;
  data: Uint8Array;
}

export async function getTrialArtifact(c: Conn, trialId: string): Promise<StoredArtifact | null> {
  const r = await c.pool.query<{ format: string; data: Buffer }>("SELECT format, data FROM trial_artifacts WHERE trial_id = $1::uuid", [trialId]);
  const row = r.rows[0];
  return row ? { trialId, format: row.format, data: await unpackArtifact(row.data) } : null;
}

export interface RankedModel extends StoredArtifact {
  rank: number;
  /** The trial's config (as stored; the caller parses it). */
  config: unknown;
  valAccuracy: number | null;
}

/** The best-ranked `k` trials of a search that kept an artifact of `format`, best first (ensembles). */
export async function topModels(c: Conn, searchId: string, k: number, format: string): Promise<RankedModel[]> {
  const r = await c.pool.query<{ trial_id: string; rank: number; config: unknown; val_accuracy: number | null; format: string; data: Buffer }>(
    `SELECT t.id AS trial_id, t.rank, t.config, t.val_accuracy, a.format, a.data
       FROM trials t JOIN trial_artifacts a ON a.trial_id = t.id
      WHERE t.search_id = $1::uuid AND t.rank IS NOT NULL AND a.format = $2
      ORDER BY t.rank, t.round, t.index LIMIT $3`,
    [searchId, format, k],
  );
  return Promise.all(
    r.rows.map(async (row) => ({
      trialId: row.trial_id,
      rank: row.rank,
      config: row.config,
      valAccuracy: row.val_accuracy,
      format: row.format,
      data: await unpackArtifact(row.data),
    })),
  );
}
