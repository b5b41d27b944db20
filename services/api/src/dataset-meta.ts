/**
 * What the spec checks and the ensemble need of a spec's uploaded dataset, read from Postgres:
 * its metadata (a 422 naming dataset.id when there is no such dataset) and its rows.
 */
import type { DatasetConfig } from "@hps/contracts";
import { decodeTable, type DataSource, type DatasetMeta } from "@hps/core";
import type { Db } from "@hps/db";
import { UnprocessableSpec } from "./errors.ts";

/** Metadata of the uploaded dataset a config names; undefined for built-in datasets. */
export async function uploadedMeta(db: Pick<Db, "datasets">, cfg: DatasetConfig): Promise<DatasetMeta | undefined> {
  if (cfg.name !== "uploaded") return undefined;
  const d = await db.datasets.get(cfg.id!);
  if (!d) throw new UnprocessableSpec([{ path: "dataset.id", message: `no dataset ${cfg.id} (upload it with POST /v1/datasets)` }]);
  return { rows: d.rows, inputShape: d.shape ?? [d.features], classes: d.classes };
}

/** The rows of the uploaded dataset a config names; undefined for built-in datasets. */
export async function uploadedSource(db: Pick<Db, "datasets">, cfg: DatasetConfig): Promise<DataSource | undefined> {
  if (cfg.name !== "uploaded") return undefined;
  const d = await db.datasets.get(cfg.id!);
  const content = d ? await db.datasets.content(d.sha256) : null;
  if (!d || !content) throw new UnprocessableSpec([{ path: "dataset.id", message: `no dataset ${cfg.id}` }]);
  const t = decodeTable(content);
  return { key: d.sha256, X: t.X, Y: t.Y, inputShape: t.shape ?? [t.features], classes: t.labels.length };
}
