/**
 * The worker's uploaded datasets: fetched from Postgres once per process by sha256 and kept in
 * memory (in SharedArrayBuffers, so every training thread reads the same bytes without a copy)
 * and in a local folder (so a restarted worker on the same host does not fetch again). A
 * dataset's id → metadata is immutable, so it is remembered too. `reads` counts what was read
 * from where (the test that a thousand trials do not read a dataset a thousand times).
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClassLabel, Dataset, DatasetConfig } from "@hps/contracts";
import { decodeTable, type DataSource } from "@hps/core";
import type { Db } from "@hps/db";

export interface UploadedData {
  source: DataSource;
  labels: ClassLabel[];
}

/** The config names a dataset that is not (or no longer) stored: retrying cannot help. */
export class DatasetMissingError extends Error {
  readonly code = "dataset_missing";
  constructor(id: string) {
    super(`dataset ${id} is not stored (deleted?)`);
    this.name = "DatasetMissingError";
  }
}

export interface DatasetStoreOptions {
  db: Pick<Db, "datasets">;
  /** The local cache folder (created on first use); absent → memory only. */
  dir?: string;
}

export class DatasetStore {
  /** Reads of content, by where they came from; `meta` counts metadata reads from Postgres. */
  readonly reads = { db: 0, disk: 0, meta: 0 };
  private readonly meta = new Map<string, Promise<Dataset>>();
  private readonly content = new Map<string, Promise<UploadedData>>();

  constructor(private readonly opts: DatasetStoreOptions) {}

  /** The rows of an uploaded dataset config (one fetch per sha256 per process, concurrent callers share it). */
  async get(cfg: DatasetConfig): Promise<UploadedData> {
    const id = cfg.id!;
    let m = this.meta.get(id);
    if (!m) {
      m = this.fetchMeta(id);
      this.meta.set(id, m);
      m.catch(() => this.meta.delete(id)); // a failed read is not remembered
    }
    const d = await m;
    let c = this.content.get(d.sha256);
    if (!c) {
      c = this.fetchContent(d);
      this.content.set(d.sha256, c);
      c.catch(() => this.content.delete(d.sha256));
    }
    return c;
  }

  private async fetchMeta(id: string): Promise<Dataset> {
    this.reads.meta++;
    const d = await this.opts.db.datasets.get(id);
    if (!d) throw new DatasetMissingError(id);
    return d;
  }

  private async fetchContent(d: Dataset): Promise<UploadedData> {
    const bytes = (await this.fromDisk(d.sha256)) ?? (await this.fromDb(d));
    const t = decodeTable(bytes, (n) => new SharedArrayBuffer(n));
    return { source: { key: d.sha256, X: t.X, Y: t.Y, inputShape: t.shape ?? [t.features], classes: t.labels.length }, labels: t.labels };
  }

  private async fromDisk(sha256: string): Promise<Uint8Array | null> {
    if (!this.opts.dir) return null;
    const bytes = await readFile(join(this.opts.dir, `${sha256}.hpst`)).catch(() => null);
    // A torn or tampered file is ignored (and replaced by the fetch).
    if (!bytes || createHash("sha256").update(bytes).digest("hex") !== sha256) return null;
    this.reads.disk++;
    return bytes;
  }

  private async fromDb(d: Dataset): Promise<Uint8Array> {
    this.reads.db++;
    const bytes = await this.opts.db.datasets.content(d.sha256);
    if (!bytes) throw new DatasetMissingError(d.id);
    if (this.opts.dir) {
      // Write then rename: a reader never sees a half-written file.
      const file = join(this.opts.dir, `${d.sha256}.hpst`);
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await mkdir(this.opts.dir, { recursive: true });
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    }
    return bytes;
  }
}
