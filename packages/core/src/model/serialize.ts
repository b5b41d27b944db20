/**
 * The model file: every param and buffer of a Sequential, by name, in a compact binary form.
 *
 *   "HPSM"  magic (4 bytes ASCII)
 *   u32     format version (1)
 *   u32     number of tensors
 *   per tensor:
 *     u8    kind (0 = param, 1 = buffer)
 *     u16   name length in bytes, then the name (UTF-8)
 *     u8    rank r, then r × u32 dims
 *     f32   prod(dims) values, row-major
 * All integers and floats little-endian. Values are copied byte for byte, so a round trip is
 * bit-identical (NaN payloads included).
 */

export const MAGIC = "HPSM";
export const FORMAT_VERSION = 1;

export interface Tensor {
  kind: "param" | "buffer";
  name: string;
  shape: readonly number[];
  value: Float32Array;
}

/** A model file that does not fit the model it is loaded into (or is not a model file). */
export class ModelFormatError extends Error {
  readonly code = "bad_model_file";
  constructor(message: string) {
    super(message);
    this.name = "ModelFormatError";
  }
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();

export function encodeTensors(tensors: readonly Tensor[]): Uint8Array {
  const names = tensors.map((t) => utf8.encode(t.name));
  let size = 12;
  tensors.forEach((t, i) => {
    if (names[i]!.length > 0xffff) throw new RangeError(`tensor name too long: ${t.name.slice(0, 40)}…`);
    size += 1 + 2 + names[i]!.length + 1 + 4 * t.shape.length + 4 * t.value.length;
  });
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(utf8.encode(MAGIC), 0);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, tensors.length, true);
  let o = 12;
  tensors.forEach((t, i) => {
    view.setUint8(o++, t.kind === "param" ? 0 : 1);
    view.setUint16(o, names[i]!.length, true);
    o += 2;
    bytes.set(names[i]!, o);
    o += names[i]!.length;
    view.setUint8(o++, t.shape.length);
    for (const d of t.shape) {
      view.setUint32(o, d, true);
      o += 4;
    }
    if (littleEndian) {
      bytes.set(new Uint8Array(t.value.buffer, t.value.byteOffset, t.value.byteLength), o);
      o += t.value.byteLength;
    } else {
      for (const v of t.value) {
        view.setFloat32(o, v, true);
        o += 4;
      }
    }
  });
  return bytes;
}

/**
 * Reads a model file into the given tensors (the model's own, found by name), all or nothing:
 * every tensor must be present exactly once with the same kind and shape, and nothing else.
 */
export function decodeTensorsInto(bytes: Uint8Array, into: readonly Tensor[]): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const need = (n: number) => {
    if (o + n > bytes.length) throw new ModelFormatError(`model file truncated at byte ${o} (needs ${n} more)`);
  };
  need(12);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new ModelFormatError("not a model file (bad magic)");
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new ModelFormatError(`model file version ${version} is not supported (expected ${FORMAT_VERSION})`);
  const count = view.getUint32(8, true);
  o = 12;
  const byName = new Map(into.map((t) => [t.name, t]));
  const found: Array<[Tensor, number]> = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    need(3);
    const kind = view.getUint8(o++) === 0 ? "param" : "buffer";
    const len = view.getUint16(o, true);
    o += 2;
    need(len + 1);
    const name = new TextDecoder().decode(bytes.subarray(o, o + len));
    o += len;
    const rank = view.getUint8(o++);
    need(4 * rank);
    const shape: number[] = [];
    for (let r = 0; r < rank; r++, o += 4) shape.push(view.getUint32(o, true));
    const target = byName.get(name);
    if (!target) throw new ModelFormatError(`model file has ${kind} "${name}" that this model does not have`);
    if (seen.has(name)) throw new ModelFormatError(`model file has "${name}" twice`);
    seen.add(name);
    if (target.kind !== kind) throw new ModelFormatError(`"${name}" is a ${kind} in the file but a ${target.kind} in the model`);
    if (shape.join(",") !== target.shape.join(",")) {
      throw new ModelFormatError(`"${name}" has shape [${shape}] in the file but [${target.shape}] in the model`);
    }
    need(4 * target.value.length);
    found.push([target, o]);
    o += 4 * target.value.length;
  }
  if (o !== bytes.length) throw new ModelFormatError(`model file has ${bytes.length - o} trailing bytes`);
  const missing = into.filter((t) => !seen.has(t.name)).map((t) => t.name);
  if (missing.length) throw new ModelFormatError(`model file lacks ${missing.join(", ")}`);
  for (const [t, at] of found) {
    if (littleEndian) {
      new Uint8Array(t.value.buffer, t.value.byteOffset, t.value.byteLength).set(bytes.subarray(at, at + t.value.byteLength));
    } else {
      for (let i = 0; i < t.value.length; i++) t.value[i] = view.getFloat32(at + 4 * i, true);
    }
  }
}
