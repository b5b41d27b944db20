/**
 * Uploaded datasets: the API stores, lists, reads and deletes them; workers read a dataset's
 * metadata by id and its content by sha256 (once per process: they cache it). Content is
 * stored once per sha256 (unique): storing the same content again returns the existing row.
 */
import type { ClassLabel, Dataset, ImageShape } from "@hps/contracts";
import type { Conn } from "./connection.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import type { Dataset as DatasetRow, Prisma } from "./generated/client.ts";

export interface NewDataset {
  name: string;
  labelColumn: string;
  rows: number;
  features: number;
  labels: ClassLabel[];
  shape: ImageShape | null;
  /** Hex sha256 of `content`. */
  sha256: string;
  /** Size of the uploaded CSV. */
  bytes: number;
  /** core's encodeTable bytes. */
  content: Uint8Array;
}

/** Position in the newest-first list of datasets. */
export interface DatasetKey {
  createdAt: Date;
  id: string;
}

const META = {
  id: true, name: true, labelColumn: true, rows: true, features: true, classes: true, labels: true, shape: true, sha256: true, bytes: true, createdAt: true,
} as const;

type MetaRow = Pick<DatasetRow, keyof typeof META>;

function toDto(r: MetaRow): Dataset {
  return {
    id: r.id,
    name: r.name,
    labelColumn: r.labelColumn,
    rows: r.rows,
    features: r.features,
    classes: r.classes,
    labels: r.labels as ClassLabel[],
    shape: (r.shape as ImageShape | null) ?? null,
    sha256: r.sha256,
    bytes: r.bytes,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Stores the dataset unless its content is stored already; `created` tells which. */
export async function createDataset(c: Conn, d: NewDataset): Promise<{ dataset: Dataset; created: boolean }> {
  const inserted = await c.pool.query<{ id: string }>(
    `INSERT INTO datasets (id, name, label_column, rows, features, classes, labels, shape, sha256, bytes, content)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10)
     ON CONFLICT (sha256) DO NOTHING RETURNING id`,
    [d.name, d.labelColumn, d.rows, d.features, d.labels.length, JSON.stringify(d.labels), d.shape ? JSON.stringify(d.shape) : null, d.sha256, d.bytes, Buffer.from(d.content.buffer, d.content.byteOffset, d.content.byteLength)],
  );
  const row = await c.prisma.dataset.findUniqueOrThrow({ where: { sha256: d.sha256 }, select: META });
  return { dataset: toDto(row), created: inserted.rowCount === 1 };
}

/** Newest first, keyset-paginated on (createdAt, id). */
export async function listDatasets(c: Conn, opts: { limit: number; after?: DatasetKey }): Promise<{ items: Dataset[]; next: DatasetKey | null }> {
  const { limit, after } = opts;
  const rows = await c.prisma.dataset.findMany({
    where: after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: META,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toDto), next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export async function getDataset(c: Conn, id: string): Promise<Dataset | null> {
  const row = await c.prisma.dataset.findUnique({ where: { id }, select: META });
  return row ? toDto(row) : null;
}

/** The stored content (core's encoded table) of the dataset with this sha256, or null. */
export async function getDatasetContent(c: Conn, sha256: string): Promise<Uint8Array | null> {
  const r = await c.pool.query<{ content: Buffer }>("SELECT content FROM datasets WHERE sha256 = $1", [sha256]);
  const buf = r.rows[0]?.content;
  return buf ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : null;
}

/**
 * Deletes the dataset unless a queued or running search trains on it (ConflictError, 409), in one
 * statement so the check and the delete see the same searches. NotFoundError when there is none.
 */
export async function deleteDataset(c: Conn, id: string): Promise<void> {
  const r = await c.pool.query<{ deleted: boolean; used_by: string | null; found: boolean }>(
    `WITH target AS (SELECT id FROM datasets WHERE id = $1::uuid),
          user_search AS (SELECT s.id FROM searches s WHERE s.status IN ('queued', 'running') AND s.spec->'dataset'->>'id' = $1::text LIMIT 1),
          gone AS (DELETE FROM datasets d WHERE d.id IN (SELECT id FROM target) AND NOT EXISTS (SELECT 1 FROM user_search) RETURNING d.id)
     SELECT EXISTS (SELECT 1 FROM gone) AS deleted, (SELECT id::text FROM user_search) AS used_by, EXISTS (SELECT 1 FROM target) AS found`,
    [id],
  );
  const row = r.rows[0]!;
  if (!row.found) throw new NotFoundError("dataset", id);
  if (!row.deleted) throw new ConflictError(`dataset ${id} is used by search ${row.used_by}, which is queued or running`);
}

export type { Prisma };
