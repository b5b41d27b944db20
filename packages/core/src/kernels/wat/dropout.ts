/**
 * WAT of inverted dropout (twins in ../dropout-ref.ts): the mask drawn from a mulberry32 stream and
 * applied in one pass, and the backward product with the stored mask.
 * mulberry32 advances its state by a constant (0x6d2b79f5) before each draw, so draw i of a stream
 * seeded with s hashes s + (i + 1)·0x6d2b79f5 (mod 2³²) and four lanes draw four consecutive
 * elements at once: the same bits, in the same order, as the scalar generator.
 */
import { add, forLoop, get, i32, set } from "./dsl.ts";
import { elementwise } from "./elementwise.ts";

const GOLDEN = 0x6d2b79f5;

/** mulberry32's output hash of state t (i32x4 lanes or one i32), as unsigned 32-bit words. */
function hash(t: "v" | "s", state: string): string {
  const I = t === "v" ? "i32x4" : "i32";
  const x = t === "v" ? "tv" : "ts";
  const xor = (a: string, b: string) => (t === "v" ? `(v128.xor ${a} ${b})` : `(i32.xor ${a} ${b})`);
  const or = (a: string, b: string) => (t === "v" ? `(v128.or ${a} ${b})` : `(i32.or ${a} ${b})`);
  const c = (n: number) => (t === "v" ? `(i32x4.splat ${i32(n)})` : i32(n));
  const shr = (a: string, n: number) => `(${I}.shr_u ${a} ${i32(n)})`;
  const imul = (a: string, b: string) => `(${I}.mul ${a} ${b})`;
  // t = imul(t ^ t >>> 15, t | 1); t ^= t + imul(t ^ t >>> 7, t | 61); return t ^ t >>> 14
  return `${set(x, state)}
      ${set(x, imul(xor(get(x), shr(get(x), 15)), or(get(x), c(1))))}
      ${set(x, xor(get(x), `(${I}.add ${get(x)} ${imul(xor(get(x), shr(get(x), 7)), or(get(x), c(61)))})`))}
      ${set(x, xor(get(x), shr(get(x), 14)))}`;
}

export function dropoutKernels(): string {
  const off = `(i32.shl ${get("i")} ${i32(2)})`;
  const at = (p: string, o: string) => add(get(p), o);
  return `
  ;; Keeps element i iff draw i ≤ keepMax (unsigned; keepMax = ⌈keep·2³²⌉ − 1, i.e. draw < keep·2³²):
  ;; mask[i] = scale or 0, y[i] = x[i]·mask[i], for n floats; seed is the stream's state before draw 0.
  (func (export "dropoutForward") (param $x i32) (param $y i32) (param $mask i32) (param $n i32) (param $seed i32)
      (param $keepMax i32) (param $scale f32)
    (local $i i32) (local $n4 i32) (local $st v128) (local $tv v128) (local $ts i32) (local $m v128) (local $ms f32)
    (local $sv v128) (local $kv v128) (local $step v128)
    ${set("n4", `(i32.and ${get("n")} ${i32(-4)})`)}
    ${set("sv", `(f32x4.splat ${get("scale")})`)}
    ${set("kv", `(i32x4.splat ${get("keepMax")})`)}
    ${set("step", `(i32x4.splat ${i32(4 * GOLDEN | 0)})`)}
    ${set("st", `(i32x4.add (i32x4.splat ${get("seed")}) (v128.const i32x4 ${GOLDEN} ${2 * GOLDEN >>> 0} ${3 * GOLDEN >>> 0} ${4 * GOLDEN >>> 0}))`)}
    ${forLoop("i", i32(0), get("n4"), i32(4), `
      ${hash("v", get("st"))}
      ${set("m", `(v128.and ${get("sv")} (i32x4.le_u ${get("tv")} ${get("kv")}))`)}
      (v128.store ${at("mask", off)} ${get("m")})
      (v128.store ${at("y", off)} (f32x4.mul (v128.load ${at("x", off)}) ${get("m")}))
      ${set("st", `(i32x4.add ${get("st")} ${get("step")})`)}`)}
    ${forLoop("i", get("n4"), get("n"), i32(1), `
      ${hash("s", `(i32.add ${get("seed")} (i32.mul (i32.add ${get("i")} ${i32(1)}) ${i32(GOLDEN)}))`)}
      ${set("ms", `(select ${get("scale")} (f32.const 0) (i32.le_u ${get("ts")} ${get("keepMax")}))`)}
      (f32.store ${at("mask", off)} ${get("ms")})
      (f32.store ${at("y", off)} (f32.mul (f32.load ${at("x", off)}) ${get("ms")}))`)})

  ;; dx[i] = dout[i]·mask[i] for n floats.
  (func (export "dropoutBackward") (param $dout i32) (param $mask i32) (param $dx i32) (param $n i32)
    (local $i i32) (local $n4 i32) (local $n16 i32)
    ${elementwise(get("n"), (o) => `(v128.store ${at("dx", o)} (f32x4.mul (v128.load ${at("dout", o)}) (v128.load ${at("mask", o)})))`,
      (o) => `(f32.store ${at("dx", o)} (f32.mul (f32.load ${at("dout", o)}) (f32.load ${at("mask", o)})))`)})`;
}
