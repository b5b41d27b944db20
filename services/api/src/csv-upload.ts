/**
 * A CSV upload streamed through csv-parse into the core's TableBuilder, within a byte limit.
 * Nothing is buffered beyond the table being built; the caller stores the result only when it is
 * complete and valid (so a refused upload stores nothing).
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import type { ImageShape, Issue } from "@hps/contracts";
import { encodeTable, TableBuilder, type Table } from "@hps/core";

/** Default of HPS_DATASET_LIMIT_MB: the largest CSV accepted, in MiB. */
export const DEFAULT_DATASET_LIMIT_MB = 64;

/** The CSV is not a usable dataset: 400 with issues naming row and column. */
export class InvalidDataset extends Error {
  readonly code = "invalid_request";
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    this.name = "InvalidDataset";
  }
}

/** The CSV exceeds the upload limit: 413. */
export class DatasetTooLarge extends Error {
  readonly code = "payload_too_large";
  readonly statusCode = 413;
  constructor(limitBytes: number) {
    super(`the CSV exceeds the upload limit of ${limitBytes} bytes (HPS_DATASET_LIMIT_MB)`);
    this.name = "DatasetTooLarge";
  }
}

export interface ParsedUpload {
  table: Table;
  /** core's encodeTable bytes: what is stored, and what sha256 names. */
  content: Uint8Array;
  sha256: string;
  /** Bytes of CSV read. */
  bytes: number;
}

export async function parseCsvUpload(body: Readable, opts: { label: string; shape: ImageShape | null; limitBytes: number }): Promise<ParsedUpload> {
  const builder = new TableBuilder(opts.label, opts.shape);
  let bytes = 0;
  let tooLarge = false;
  // relax_column_count: ragged rows reach the builder, which names them; the BOM of spreadsheet exports is dropped.
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  body.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > opts.limitBytes && !tooLarge) {
      tooLarge = true;
      body.unpipe(parser);
      body.pause();
      parser.destroy(new DatasetTooLarge(opts.limitBytes));
    }
  });
  body.pipe(parser);
  let first = true;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (first) {
        builder.header(record);
        first = false;
      } else builder.row(record);
      if (builder.full) break;
    }
  } catch (err) {
    if (err instanceof DatasetTooLarge || tooLarge) throw new DatasetTooLarge(opts.limitBytes);
    // csv-parse's own errors (an unclosed quote, ...) carry the line they were found on.
    const line = (err as { lines?: number }).lines;
    throw new InvalidDataset([{ path: line ? `row ${Math.max(line - 1, 0)}` : "", message: (err as Error).message }]);
  }
  if (tooLarge) throw new DatasetTooLarge(opts.limitBytes);
  const table = builder.finish();
  if (!table) throw new InvalidDataset(builder.issues);
  const content = encodeTable(table);
  return { table, content, sha256: createHash("sha256").update(content).digest("hex"), bytes };
}
