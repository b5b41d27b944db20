/**
 * A labelled table of numeric features, as uploaded (POST /v1/datasets) and as workers fetch it:
 * X [rows, features] row-major float32, Y [rows] class indices into `labels`. `shape` [C, H, W]
 * marks image data (features = C·H·W). Pure: no I/O; the API streams CSV records into a
 * TableBuilder, stores `encodeTable`'s bytes, and workers `decodeTable` them.
 *
 * Binary layout (little-endian), version 1:
 *   "HPST" magic, u32 version, u32 n, n bytes of JSON {rows, features, labels, shape},
 *   rows·features × f32 X, rows × i32 Y.
 * The content's sha256 (of these bytes) names it: equal content is stored once.
 */
import type { ClassLabel, ImageShape } from "@hps/contracts";

export interface Table {
  X: Float32Array;
  Y: Int32Array;
  rows: number;
  features: number;
  /** labels[i] = the label of class index i. */
  labels: ClassLabel[];
  shape: ImageShape | null;
}

export const TABLE_MAGIC = "HPST";
export const TABLE_VERSION = 1;

/** A stored table that cannot be read (not a table, or a version this code does not know). */
export class TableFormatError extends Error {
  readonly code = "bad_table";
  constructor(message: string) {
    super(message);
    this.name = "TableFormatError";
  }
}

const utf8 = new TextEncoder();

export function encodeTable(t: Table): Uint8Array {
  const head = utf8.encode(JSON.stringify({ rows: t.rows, features: t.features, labels: t.labels, shape: t.shape }));
  const out = new Uint8Array(12 + head.length + 4 * t.X.length + 4 * t.Y.length);
  const view = new DataView(out.buffer);
  out.set(utf8.encode(TABLE_MAGIC), 0);
  view.setUint32(4, TABLE_VERSION, true);
  view.setUint32(8, head.length, true);
  out.set(head, 12);
  let o = 12 + head.length;
  for (const v of t.X) view.setFloat32((o += 4) - 4, v, true);
  for (const v of t.Y) view.setInt32((o += 4) - 4, v, true);
  return out;
}

/**
 * Reads encodeTable's bytes. With `alloc`, X and Y are placed in buffers it returns (e.g. a
 * SharedArrayBuffer, so a worker hands one copy to all its training threads).
 */
export function decodeTable(bytes: Uint8Array, alloc: (byteLength: number) => ArrayBufferLike = (n) => new ArrayBuffer(n)): Table {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== TABLE_MAGIC) throw new TableFormatError("not a stored table (bad magic)");
  const version = view.getUint32(4, true);
  if (version !== TABLE_VERSION) throw new TableFormatError(`table version ${version} is not supported (expected ${TABLE_VERSION})`);
  const n = view.getUint32(8, true);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n))) as Omit<Table, "X" | "Y">;
  const cells = head.rows * head.features;
  if (bytes.length !== 12 + n + 4 * cells + 4 * head.rows) throw new TableFormatError(`table size ${bytes.length} does not match ${head.rows} × ${head.features}`);
  const buf = alloc(4 * cells + 4 * head.rows);
  const X = new Float32Array(buf, 0, cells);
  const Y = new Int32Array(buf, 4 * cells, head.rows);
  let o = 12 + n;
  for (let i = 0; i < cells; i++, o += 4) X[i] = view.getFloat32(o, true);
  for (let i = 0; i < head.rows; i++, o += 4) Y[i] = view.getInt32(o, true);
  return { ...head, X, Y };
}
