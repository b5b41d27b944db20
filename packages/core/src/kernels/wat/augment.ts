/**
 * WAT of one sample's augmentation (twin in ../augment-ref.ts): shift by (dx, dy) with zero fill,
 * optional horizontal mirror, plus a brightness offset. The offset is a float64 added to each float32
 * pixel in float64 and rounded once, as the twin's JavaScript arithmetic does, so results are
 * bit-identical. Scalar with selects (images are 28–32 pixels wide: the row loop, not SIMD, bounds it).
 */
import { add, forLoop, get, i32, mul, set } from "./dsl.ts";

export function augmentKernels(): string {
  const px = (base: string, idx: string) => add(get(base), `(i32.shl ${idx} ${i32(2)})`);
  return `
  ;; out[c, i, j] = (x[c, i + dy, jj + dx] or 0 outside) + shift, jj = mirror ? W − 1 − j : j; one [C, H, W] sample.
  (func (export "augmentSample") (param $x i32) (param $out i32) (param $C i32) (param $H i32) (param $W i32)
      (param $dx i32) (param $dy i32) (param $mirror i32) (param $shift f64)
    (local $c i32) (local $i i32) (local $j i32) (local $si i32) (local $sj i32) (local $row i32) (local $srow i32) (local $fill f32)
    ${set("fill", `(f32.demote_f64 ${get("shift")})`)}
    ${forLoop("c", i32(0), get("C"), i32(1), forLoop("i", i32(0), get("H"), i32(1), `
      ${set("row", mul(add(mul(get("c"), get("H")), get("i")), get("W")))}
      ${set("si", add(get("i"), get("dy")))}
      (if (i32.ge_u ${get("si")} ${get("H")})
        (then ${forLoop("j", i32(0), get("W"), i32(1), `(f32.store ${px("out", add(get("row"), get("j")))} ${get("fill")})`)})
        (else
          ${set("srow", mul(add(mul(get("c"), get("H")), get("si")), get("W")))}
          ${forLoop("j", i32(0), get("W"), i32(1), `
            ${set("sj", add(`(select (i32.sub (i32.sub ${get("W")} ${i32(1)}) ${get("j")}) ${get("j")} ${get("mirror")})`, get("dx")))}
            (f32.store ${px("out", add(get("row"), get("j")))} (f32.demote_f64 (f64.add
              (select (f64.promote_f32 (f32.load ${px("x", `(select ${add(get("srow"), get("sj"))} ${i32(0)} (i32.lt_u ${get("sj")} ${get("W")}))`)})) (f64.const 0)
                (i32.lt_u ${get("sj")} ${get("W")}))
              ${get("shift")})))`)}))`))})`;
}
