/**
 * WAT of the convolution-side kernels: im2col/col2im, the conv GEMM layout changes, max pooling.
 */
import { add, forLoop, get, i32, min, mul, set, shuf } from "./dsl.ts";

/** im2col / col2im. */
export function convKernels(): string {
  // Caffe/PyTorch im2col for one NCHW image: col row r = (c·KH + kh)·KW + kw, column q = oh·OW + ow,
  // col[r·ld + q] = x[c, oh·S − P + kh, ow·S − P + kw] (0 outside the image). ld ≥ OH·OW lets
  // several images share one col matrix side by side. Each output row (fixed c, kh, kw, oh) splits
  // into [0, lo) left padding, [lo, hi) inside the image and [hi, OW) right padding, with lo and hi
  // computed once per (kw), so the inner loops have no bounds tests; stride 1 copies/adds 4 floats
  // per v128.
  const params = `(param $C i32) (param $H i32) (param $W i32) (param $KH i32) (param $KW i32) (param $S i32) (param $P i32) (param $OH i32) (param $OW i32)`;
  const loc = `(local $c i32) (local $kh i32) (local $kw i32) (local $oh i32) (local $ow i32) (local $ih i32) (local $row i32)
    (local $dst i32) (local $src i32) (local $lo i32) (local $hi i32) (local $hi4 i32) (local $a i32) (local $b i32) (local $t i32)`;
  // lo = max(0, ceil((P − kw)/S)); hi = clamp(floor((W − 1 + P − kw)/S) + 1, lo, OW).
  const bounds = `
      ${set("a", `(i32.sub ${get("P")} ${get("kw")})`)}
      ${set("lo", `(select (i32.div_s ${add(get("a"), `(i32.sub ${get("S")} ${i32(1)})`)} ${get("S")}) ${i32(0)} (i32.gt_s ${get("a")} ${i32(0)}))`)}
      ${set("b", `(i32.sub ${add(get("W"), get("a"))} ${i32(1)})`)}
      ${set("hi", `(select ${add(`(i32.div_s ${get("b")} ${get("S")})`, i32(1))} ${i32(0)} (i32.ge_s ${get("b")} ${i32(0)}))`)}
      ${set("hi", min(get("hi"), get("OW")))}
      ${set("hi", `(select ${get("hi")} ${get("lo")} (i32.gt_s ${get("hi")} ${get("lo")}))`)}
      ${set("hi4", add(get("lo"), `(i32.and (i32.sub ${get("hi")} ${get("lo")}) ${i32(-4)})`))}`;
  // dst: byte address of col[row·ld + oh·OW]; src: byte address of x[c, ih, lo·S − P + kw].
  const walk = (padRow: string, padCols: string, inside: string) => `
    ${set("row", i32(0))}
    ${forLoop("c", i32(0), get("C"), i32(1), forLoop("kh", i32(0), get("KH"), i32(1), forLoop("kw", i32(0), get("KW"), i32(1), `
      ${bounds}
      ${forLoop("oh", i32(0), get("OH"), i32(1), `
        ${set("dst", add(get("col"), mul(add(mul(get("row"), get("ld")), mul(get("oh"), get("OW"))), i32(4))))}
        ${set("ih", add(`(i32.sub ${mul(get("oh"), get("S"))} ${get("P")})`, get("kh")))}
        (if (i32.ge_u ${get("ih")} ${get("H")})
          (then ${padRow})
          (else
            ${padCols}
            ${set("src", add(get("x"), mul(add(mul(add(mul(get("c"), get("H")), get("ih")), get("W")),
              `(i32.sub ${mul(get("lo"), get("S"))} ${get("a")})`), i32(4))))}
            ${inside}))`)}
      ${set("row", add(get("row"), i32(1)))}`)))}`;
  const at = (base: string, idx: string) => add(get(base), `(i32.shl ${idx} ${i32(2)})`);
  const zeroRange = (from: string, to: string) => forLoop("t", from, to, i32(1), `(f32.store ${at("dst", get("t"))} (f32.const 0))`);
  return `
  (func (export "im2col") (param $x i32) ${params} (param $col i32) (param $ld i32)
    ${loc}
    ${walk(`(memory.fill ${get("dst")} ${i32(0)} ${mul(get("OW"), i32(4))})`,
      `${zeroRange(i32(0), get("lo"))} ${zeroRange(get("hi"), get("OW"))}`,
      `(if (i32.eq ${get("S")} ${i32(1)})
              (then
                ${forLoop("t", get("lo"), get("hi4"), i32(4), `(v128.store ${at("dst", get("t"))} (v128.load ${get("src")})) ${set("src", add(get("src"), i32(16)))}`)}
                ${forLoop("t", get("hi4"), get("hi"), i32(1), `(f32.store ${at("dst", get("t"))} (f32.load ${get("src")})) ${set("src", add(get("src"), i32(4)))}`)})
              (else
                ${forLoop("t", get("lo"), get("hi"), i32(1), `(f32.store ${at("dst", get("t"))} (f32.load ${get("src")})) ${set("src", add(get("src"), i32(4)))}`).replace(
                  `${set("src", add(get("src"), i32(4)))}`, `${set("src", add(get("src"), `(i32.shl ${get("S")} ${i32(2)})`))}`)}))`)})

  ;; The adjoint of im2col: x = 0, then x[c, ih, iw] += col[r·ld + q] over the same walk.
  (func (export "col2im") (param $col i32) ${params} (param $x i32) (param $ld i32)
    ${loc}
    (memory.fill ${get("x")} ${i32(0)} ${mul(mul(mul(get("C"), get("H")), get("W")), i32(4))})
    ${walk("", "",
      `(if (i32.eq ${get("S")} ${i32(1)})
              (then
                ${forLoop("t", get("lo"), get("hi4"), i32(4), `(v128.store ${get("src")} (f32x4.add (v128.load ${get("src")}) (v128.load ${at("dst", get("t"))}))) ${set("src", add(get("src"), i32(16)))}`)}
                ${forLoop("t", get("hi4"), get("hi"), i32(1), `(f32.store ${get("src")} (f32.add (f32.load ${get("src")}) (f32.load ${at("dst", get("t"))}))) ${set("src", add(get("src"), i32(4)))}`)})
              (else
                ${forLoop("t", get("lo"), get("hi"), i32(1), `(f32.store ${get("src")} (f32.add (f32.load ${get("src")}) (f32.load ${at("dst", get("t"))}))) ${set("src", add(get("src"), `(i32.shl ${get("S")} ${i32(2)})`))}`)}))`)})`;
}

/** maxPoolForward / maxPoolBackward. */
export function poolKernels(): string {
  // Max pooling over `planes` = N·C planes of H×W floats (NCHW), windows size×size at stride.
  // y[o] = the window max; arg[o] = its index into x (an i32, counted from x's first element).
  // Ties keep the first element in row-major window order; NaN wins (the first NaN), like the
  // TypeScript twin: v > m || (v ≠ v && m = m).
  const at = (base: string, idx: string) => add(get(base), `(i32.shl ${idx} ${i32(2)})`);
  return `
  (func (export "maxPoolForward") (param $x i32) (param $planes i32) (param $H i32) (param $W i32) (param $size i32) (param $S i32)
      (param $OH i32) (param $OW i32) (param $y i32) (param $arg i32)
    (local $pl i32) (local $oy i32) (local $ox i32) (local $ki i32) (local $kj i32) (local $base i32) (local $row i32)
    (local $best i32) (local $m f32) (local $v f32) (local $o i32) (local $idx i32) (local $c i32) (local $ow4 i32)
    (local $r0a v128) (local $r0b v128) (local $r1a v128) (local $r1b v128) (local $vm v128) (local $vb v128)
    (local $vv v128) (local $vi v128) (local $vc v128) (local $i0 v128)
    ${set("o", i32(0))}
    ${set("ow4", `(select (i32.and ${get("OW")} ${i32(-4)}) ${i32(0)} (i32.and (i32.eq ${get("size")} ${i32(2)}) (i32.eq ${get("S")} ${i32(2)})))`)}
    ${forLoop("pl", i32(0), get("planes"), i32(1), `
      ${set("base", mul(mul(get("pl"), get("H")), get("W")))}
      ${forLoop("oy", i32(0), get("OH"), i32(1), `
        ;; 2×2 windows at stride 2, four outputs per step: even/odd lanes of two rows, branch-free.
        ${forLoop("ox", i32(0), get("ow4"), i32(4), `
          ${set("idx", add(add(get("base"), mul(mul(get("oy"), i32(2)), get("W"))), mul(get("ox"), i32(2))))}
          ${set("r0a", `(v128.load ${at("x", get("idx"))})`)}
          ${set("r0b", `(v128.load offset=16 ${at("x", get("idx"))})`)}
          ${set("r1a", `(v128.load ${at("x", add(get("idx"), get("W")))})`)}
          ${set("r1b", `(v128.load offset=16 ${at("x", add(get("idx"), get("W")))})`)}
          ${set("i0", `(i32x4.add (i32x4.splat ${get("idx")}) (v128.const i32x4 0 2 4 6))`)}
          ${set("vm", shuf(get("r0a"), get("r0b"), [0, 2, 4, 6]))}
          ${set("vb", get("i0"))}
          ${[
            [shuf(get("r0a"), get("r0b"), [1, 3, 5, 7]), `(i32x4.add ${get("i0")} (v128.const i32x4 1 1 1 1))`],
            [shuf(get("r1a"), get("r1b"), [0, 2, 4, 6]), `(i32x4.add ${get("i0")} (i32x4.splat ${get("W")}))`],
            [shuf(get("r1a"), get("r1b"), [1, 3, 5, 7]), `(i32x4.add ${get("i0")} (i32x4.splat ${add(get("W"), i32(1))}))`],
          ].map(([v, i]) => `${set("vv", v!)}
          ${set("vi", i!)}
          ${set("vc", `(v128.or (f32x4.gt ${get("vv")} ${get("vm")}) (v128.and (f32x4.ne ${get("vv")} ${get("vv")}) (f32x4.eq ${get("vm")} ${get("vm")})))`)}
          ${set("vm", `(v128.bitselect ${get("vv")} ${get("vm")} ${get("vc")})`)}
          ${set("vb", `(v128.bitselect ${get("vi")} ${get("vb")} ${get("vc")})`)}`).join("\n          ")}
          (v128.store ${at("y", get("o"))} ${get("vm")})
          (v128.store ${at("arg", get("o"))} ${get("vb")})
          ${set("o", add(get("o"), i32(4)))}`)}
        ;; Any other window, and the last OW % 4 outputs: scalar, with selects instead of branches.
        ${forLoop("ox", get("ow4"), get("OW"), i32(1), `
          ${set("best", add(add(get("base"), mul(mul(get("oy"), get("S")), get("W"))), mul(get("ox"), get("S"))))}
          ${set("m", `(f32.load ${at("x", get("best"))})`)}
          ${forLoop("ki", i32(0), get("size"), i32(1), `
            ${set("row", add(add(get("base"), mul(add(mul(get("oy"), get("S")), get("ki")), get("W"))), mul(get("ox"), get("S"))))}
            ${forLoop("kj", i32(0), get("size"), i32(1), `
              ${set("idx", add(get("row"), get("kj")))}
              ${set("v", `(f32.load ${at("x", get("idx"))})`)}
              ${set("c", `(i32.or (f32.gt ${get("v")} ${get("m")}) (i32.and (f32.ne ${get("v")} ${get("v")}) (f32.eq ${get("m")} ${get("m")})))`)}
              ${set("m", `(select ${get("v")} ${get("m")} ${get("c")})`)}
              ${set("best", `(select ${get("idx")} ${get("best")} ${get("c")})`)}`)}`)}
          (f32.store ${at("y", get("o"))} ${get("m")})
          (i32.store ${at("arg", get("o"))} ${get("best")})
          ${set("o", add(get("o"), i32(1)))}`)}`)}`)})

  ;; dx = 0 (nIn floats), then dx[arg[o]] += dy[o] for o < nOut.
  (func (export "maxPoolBackward") (param $dy i32) (param $arg i32) (param $nOut i32) (param $dx i32) (param $nIn i32)
    (local $o i32) (local $p i32)
    (memory.fill ${get("dx")} ${i32(0)} ${mul(get("nIn"), i32(4))})
    ${forLoop("o", i32(0), get("nOut"), i32(1), `
      ${set("p", at("dx", `(i32.load ${at("arg", get("o"))})`))}
      (f32.store ${get("p")} (f32.add (f32.load ${get("p")}) (f32.load ${at("dy", get("o"))})))`)})`;
}
