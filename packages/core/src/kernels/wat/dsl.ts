/**
 * A tiny WAT-writing vocabulary for the kernel generators (wat/*.ts): each helper returns the text
 * of one folded S-expression. Loop labels come from a counter that `resetLabels` rewinds, so the
 * generated module text is identical on every run (the committed binary is checked against it).
 */
export const get = (n: string) => `(local.get $${n})`;
export const set = (n: string, v: string) => `(local.set $${n} ${v})`;
export const i32 = (n: number) => `(i32.const ${n})`;
export const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
export const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
export const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
export const locals = (type: string, names: string[]) => names.map((n) => `(local $${n} ${type})`).join(" ");
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let labelCounter = 0;
let fused = false;

/** Restarts loop-label numbering (at the start of each module). */
export function resetLabels(): void {
  labelCounter = 0;
}

/**
 * Picks the multiply-add the generators emit for the module being generated: relaxed SIMD's fused
 * f32x4.relaxed_madd (one rounding; an FMA instruction where the CPU has one) or f32x4.mul then
 * f32x4.add (two roundings). Set by kernelsWat before any generator runs.
 */
export function setFusedMultiplyAdd(on: boolean): void {
  fused = on;
}

/** c + a·b on v128 (f32x4): fused in the FMA module, mul then add in the SIMD128 one. */
export const madd = (a: string, b: string, c: string) =>
  fused ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add ${c} (f32x4.mul ${a} ${b}))`;
/** c − a·b on v128 (f32x4), fused or not like madd. */
export const nmadd = (a: string, b: string, c: string) =>
  fused ? `(f32x4.relaxed_nmadd ${a} ${b} ${c})` : `(f32x4.sub ${c} (f32x4.mul ${a} ${b}))`;
/**
 * madd/nmadd for a formula written once for v128 ("v") and for its f32 scalar tail ("s"): WebAssembly
 * has no scalar relaxed FMA, so the tail always multiplies then adds.
 */
export const maddOf = (t: "v" | "s") => t === "v" ? { madd, nmadd } : {
  madd: (a: string, b: string, c: string) => `(f32.add ${c} (f32.mul ${a} ${b}))`,
  nmadd: (a: string, b: string, c: string) => `(f32.sub ${c} (f32.mul ${a} ${b}))`,
};

/** `for (v = from; v < to; v += step) body` as a block/loop pair. */
export function forLoop(v: string, from: string, to: string, step: string, body: string): string {
  const id = `${v}${labelCounter++}`;
  return `${set(v, from)}
    (block $B${id} (loop $L${id}
      (br_if $B${id} (i32.ge_s ${get(v)} ${to}))
      ${body}
      ${set(v, add(get(v), step))}
      (br $L${id})))`;
}

/** i8x16.shuffle picking float lanes (0–3 from a, 4–7 from b). */
export const shuf = (a: string, b: string, lanes: number[]) =>
  `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((k) => 4 * l + k)).join(" ")} ${a} ${b})`;
