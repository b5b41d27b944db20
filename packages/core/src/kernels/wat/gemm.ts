/**
 * WAT of the SIMD GEMM (see wat-source.ts for the algorithm): C[M,N] = beta·C + op(A)·op(B).
 */
import { add, forLoop, get, i32, locals, madd, min, mul, range, set, shuf } from "./dsl.ts";
import { SMALL_K_MAX, SMALL_N_MAX, smallK, smallN } from "./gemm-small.ts";
import { DIRECT_B_MAX_M, KC, MC, MR, NC, NR, PACK_A, PACK_B, TILE } from "./layout.ts";

/** A register tile: mr rows × (4·nv) columns of C, accumulated in mr·nv v128 locals. */
interface Tile { mr: number; nv: number }
/** The main tile (N ≥ 5) and the narrow one for N ≤ 4 (output layers of 2–4 classes, spiral), which
 * would waste half of a 4×8 tile. (An 8×4 narrow tile measured slower: 8 row pointers spill.) */
const WIDE: Tile = { mr: MR, nv: NR / 4 };
const NARROW: Tile = { mr: 4, nv: 1 };
const nrOf = (t: Tile) => 4 * t.nv;
/** Rows of A per block: MC rounded down to whole mr-row panels. */
const mcOf = (t: Tile) => t.mr * Math.floor(MC / t.mr);
const sfx = (t: Tile) => `${t.mr}x${nrOf(t)}`;

function microKernel(t: Tile): string {
  const { mr, nv } = t;
  const nr = nrOf(t);
  const cs = range(mr).flatMap((r) => range(nv).map((v) => `c${r}_${v}`));
  // One k step: NR floats of the B panel row, then MR broadcasts of the packed A column (constant
  // offsets from one pointer), each multiplied into a row of accumulators.
  const step = `
      ${range(nv).map((v) => set(`b${v}`, `(v128.load offset=${16 * v} ${get("pb")})`)).join("\n      ")}
      ${range(mr).map((r) => `${set("a", `(v128.load32_splat offset=${4 * r} ${get("pa")})`)}
      ${range(nv).map((v) => set(`c${r}_${v}`, madd(get("a"), get(`b${v}`), get(`c${r}_${v}`)))).join("\n      ")}`).join("\n      ")}`;
  const fullStore = range(mr)
    .map((r) => {
      const p = add(get("c"), mul(get("ldc"), i32(r)));
      return `(if ${get("acc")} (then
          ${range(nv).map((v) => set(`c${r}_${v}`, `(f32x4.add ${get(`c${r}_${v}`)} (v128.load offset=${16 * v} ${p}))`)).join("\n          ")}))
        ${range(nv).map((v) => `(v128.store offset=${16 * v} ${p} ${get(`c${r}_${v}`)})`).join("\n        ")}`;
    })
    .join("\n        ");
  const tileStore = range(mr)
    .map((r) => range(nv).map((v) => `(v128.store ${i32(TILE + (r * nr + 4 * v) * 4)} ${get(`c${r}_${v}`)})`).join(" "))
    .join("\n        ");
  return `
  ;; C[mr×nr] (+)= Apanel[kc×${mr}] · Bpanel[kc×${nr}]: column p of the packed A panel (packA) at
  ;; pa + p·${mr * 4}; row p of the B panel at pb + p·bs (packed: bs = ${nr * 4}; read in place from a full
  ;; panel of untransposed B: bs = N·4); ldc in bytes. One k step per loop iteration: see layout.ts
  ;; for why neither unrolling nor a taller tile helps under V8.
  (func $micro_${sfx(t)} (param $kc i32) (param $pa i32) (param $pb i32) (param $bs i32) (param $c i32) (param $ldc i32)
      (param $mr i32) (param $nr i32) (param $acc i32)
    ${locals("v128", [...cs, "a", ...range(nv).map((v) => `b${v}`)])} (local $i i32) (local $j i32) (local $p i32) (local $v f32)
    (loop $k
      ${step}
      ${set("pa", add(get("pa"), i32(mr * 4)))}
      ${set("pb", add(get("pb"), get("bs")))}
      ${set("kc", `(i32.sub ${get("kc")} ${i32(1)})`)}
      (br_if $k ${get("kc")}))
    (if (i32.and (i32.eq ${get("mr")} ${i32(mr)}) (i32.eq ${get("nr")} ${i32(nr)}))
      (then
        ${fullStore})
      (else
        ${tileStore}
        ${forLoop("i", i32(0), get("mr"), i32(1), forLoop("j", i32(0), get("nr"), i32(1), `
          ${set("p", add(add(get("c"), mul(get("i"), get("ldc"))), mul(get("j"), i32(4))))}
          ${set("v", `(f32.load ${add(i32(TILE), mul(add(mul(get("i"), i32(nr)), get("j")), i32(4)))})`)}
          (if ${get("acc")} (then ${set("v", `(f32.add ${get("v")} (f32.load ${get("p")}))`)}))
          (f32.store ${get("p")} ${get("v")})`))})))`;
}

function packA(t: Tile): string {
  // The block op(A)[ic..ic+mc, pc..pc+kc] as panels of mr rows: panel q (rows ic+q·mr…) at
  // PACK_A + q·mr·kc·4, its column p as mr consecutive floats. op(A)[i, p] sits at A + i·rs + p·ps.
  // Rows past mc repeat row mc−1 (finite values; the micro-kernel discards those rows).
  const { mr } = t;
  return `
  (func $packA_${sfx(t)} (param $A i32) (param $rs i32) (param $ps i32) (param $mc i32) (param $kc i32)
    (local $q i32) (local $p i32) (local $dst i32) (local $src i32) (local $last i32)
    ${locals("i32", range(mr).map((r) => `s${r}`))}
    ${set("dst", i32(PACK_A))}
    ${set("last", `(i32.sub ${get("mc")} ${i32(1)})`)}
    ${forLoop("q", i32(0), get("mc"), i32(mr), `
      ${range(mr).map((r) => set(`s${r}`, add(get("A"), mul(get("rs"), min(add(get("q"), i32(r)), get("last")))))).join("\n      ")}
      ${forLoop("p", i32(0), get("kc"), i32(1), `
        ${range(mr).map((r) => `(f32.store offset=${4 * r} ${get("dst")} (f32.load ${get(`s${r}`)}))`).join("\n        ")}
        ${range(mr).map((r) => set(`s${r}`, add(get(`s${r}`), get("ps")))).join("\n        ")}
        ${set("dst", add(get("dst"), i32(mr * 4)))}`)}`)})`;
}

function packB(t: Tile): string {
  // op(B) is [K,N]. Not transposed: B[k*N + n]; transposed: B[n*K + k]. Panel jr holds
  // rows p = 0..kc-1 of NR floats at PACK_B + (jr*kc + p*NR)*4, zero-padded past nc.
  // Transposed B is packed 4 columns × 4 k at a time with a 4×4 shuffle transpose.
  const nr = nrOf(t);
  const copyRow = range(t.nv).map((v) => `(v128.store offset=${16 * v} ${get("dst")} (v128.load offset=${16 * v} ${get("src")}))`).join("\n              ");
  const v = (i: number) => get(`v${i}`);
  return `
  (func $packB_${sfx(t)} (param $tb i32) (param $B i32) (param $N i32) (param $K i32) (param $pc i32) (param $jc i32)
      (param $kc i32) (param $nc i32)
    (local $jr i32) (local $nr i32) (local $dst i32) (local $src i32) (local $p i32) (local $j i32) (local $ld i32)
    (local $k4 i32) (local $d i32) ${locals("v128", ["v0", "v1", "v2", "v3", "t0", "t1", "t2", "t3"])}
    ${forLoop("jr", i32(0), get("nc"), i32(nr), `
      ${set("nr", min(i32(nr), `(i32.sub ${get("nc")} ${get("jr")})`))}
      ${set("dst", add(i32(PACK_B), mul(mul(get("jr"), get("kc")), i32(4))))}
      (if (i32.eqz ${get("tb")})
        (then
          ${set("ld", mul(get("N"), i32(4)))}
          ${set("src", add(get("B"), mul(add(mul(get("pc"), get("N")), add(get("jc"), get("jr"))), i32(4))))}
          (if (i32.eq ${get("nr")} ${i32(nr)})
            (then ${forLoop("p", i32(0), get("kc"), i32(1), `
              ${copyRow}
              ${set("dst", add(get("dst"), i32(nr * 4)))}
              ${set("src", add(get("src"), get("ld")))}`)})
            (else ${forLoop("p", i32(0), get("kc"), i32(1), `
              ${range(t.nv).map((q) => `(v128.store offset=${16 * q} ${get("dst")} (v128.const i32x4 0 0 0 0))`).join(" ")}
              ${forLoop("j", i32(0), get("nr"), i32(1), `
                (f32.store ${add(get("dst"), mul(get("j"), i32(4)))} (f32.load ${add(get("src"), mul(get("j"), i32(4)))}))`)}
              ${set("dst", add(get("dst"), i32(nr * 4)))}
              ${set("src", add(get("src"), get("ld")))}`)})))
        (else
          (if (i32.lt_s ${get("nr")} ${i32(nr)}) (then
            (memory.fill ${get("dst")} ${i32(0)} ${mul(get("kc"), i32(nr * 4))})))
          ${set("ld", mul(get("K"), i32(4)))}
          ${set("k4", `(i32.and ${get("kc")} ${i32(-4)})`)}
          ;; Whole groups of 4 columns: 4×4 blocks transposed in registers.
          ${forLoop("j", i32(0), `(i32.and ${get("nr")} ${i32(-4)})`, i32(4), `
            ${set("src", add(get("B"), mul(add(mul(add(add(get("jc"), get("jr")), get("j")), get("K")), get("pc")), i32(4))))}
            ${set("d", add(get("dst"), mul(get("j"), i32(4))))}
            ${forLoop("p", i32(0), get("k4"), i32(4), `
              ${set("v0", `(v128.load ${get("src")})`)}
              ${set("v1", `(v128.load ${add(get("src"), get("ld"))})`)}
              ${set("v2", `(v128.load ${add(get("src"), mul(get("ld"), i32(2)))})`)}
              ${set("v3", `(v128.load ${add(get("src"), mul(get("ld"), i32(3)))})`)}
              ${set("t0", shuf(v(0), v(1), [0, 4, 1, 5]))}
              ${set("t1", shuf(v(0), v(1), [2, 6, 3, 7]))}
              ${set("t2", shuf(v(2), v(3), [0, 4, 1, 5]))}
              ${set("t3", shuf(v(2), v(3), [2, 6, 3, 7]))}
              (v128.store ${get("d")} ${shuf(get("t0"), get("t2"), [0, 1, 4, 5])})
              (v128.store offset=${nr * 4} ${get("d")} ${shuf(get("t0"), get("t2"), [2, 3, 6, 7])})
              (v128.store offset=${nr * 8} ${get("d")} ${shuf(get("t1"), get("t3"), [0, 1, 4, 5])})
              (v128.store offset=${nr * 12} ${get("d")} ${shuf(get("t1"), get("t3"), [2, 3, 6, 7])})
              ${set("src", add(get("src"), i32(16)))}
              ${set("d", add(get("d"), i32(nr * 16)))}`)}
            ${forLoop("p", get("k4"), get("kc"), i32(1), `
              (f32.store ${get("d")} (f32.load ${get("src")}))
              (f32.store offset=4 ${get("d")} (f32.load ${add(get("src"), get("ld"))}))
              (f32.store offset=8 ${get("d")} (f32.load ${add(get("src"), mul(get("ld"), i32(2)))}))
              (f32.store offset=12 ${get("d")} (f32.load ${add(get("src"), mul(get("ld"), i32(3)))}))
              ${set("src", add(get("src"), i32(4)))}
              ${set("d", add(get("d"), i32(nr * 4)))}`)}`)}
          ;; Remaining columns one at a time.
          ${forLoop("j", `(i32.and ${get("nr")} ${i32(-4)})`, get("nr"), i32(1), `
            ${set("src", add(get("B"), mul(add(mul(add(add(get("jc"), get("jr")), get("j")), get("K")), get("pc")), i32(4))))}
            ${forLoop("p", i32(0), get("kc"), i32(1), `
              (f32.store ${add(add(get("dst"), mul(get("p"), i32(nr * 4))), mul(get("j"), i32(4)))}
                (f32.load ${add(get("src"), mul(get("p"), i32(4)))}))`)}`)}))`)})`;
}

function gemmBody(t: Tile): string {
  const nr = nrOf(t);
  return `
  ;; The loop nest of gemm (below) for one tile shape; M, N, K ≥ 1.
  (func $gemm_${sfx(t)} (param $ta i32) (param $tb i32) (param $M i32) (param $N i32) (param $K i32)
      (param $A i32) (param $B i32) (param $C i32) (param $beta i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $ir i32) (local $acc i32) (local $ldc i32) (local $rs i32) (local $ps i32)
    (local $direct i32) (local $tail i32) (local $pb i32) (local $bs i32) (local $kstep i32)
    ${set("ldc", mul(get("N"), i32(4)))}
    ;; K split into equal slices of at most KC (784 → 4 × 196, not 3 × 256 + 16: a 16-deep slice
    ;; spends as long loading and storing its C tiles as multiplying).
    ${set("kstep", `(i32.div_u ${get("K")} (i32.div_u ${add(get("K"), i32(KC - 1))} ${i32(KC)}))`)}
    ${set("kstep", `(select ${add(get("kstep"), i32(1))} ${get("kstep")} (i32.ne (i32.mul ${get("kstep")} (i32.div_u ${add(get("K"), i32(KC - 1))} ${i32(KC)})) ${get("K")}))`)}
    ;; Few rows of A (M ≤ ${DIRECT_B_MAX_M}) reuse each B panel only a few times: then full panels of an
    ;; untransposed B are read in place and only the last, partial panel is packed.
    ${set("direct", `(i32.and (i32.eqz ${get("tb")}) (i32.le_s ${get("M")} ${i32(DIRECT_B_MAX_M)}))`)}
    ;; op(A)[i, p] sits at A + i·rs + p·ps: A[i·K + p] (not transposed) or A[p·M + i] (transposed).
    (if ${get("ta")}
      (then ${set("rs", i32(4))} ${set("ps", mul(get("M"), i32(4)))})
      (else ${set("rs", mul(get("K"), i32(4)))} ${set("ps", i32(4))}))
    ${forLoop("jc", i32(0), get("N"), i32(NC), `
      ${set("nc", min(i32(NC), `(i32.sub ${get("N")} ${get("jc")})`))}
      ${forLoop("pc", i32(0), get("K"), get("kstep"), `
        ${set("kc", min(get("kstep"), `(i32.sub ${get("K")} ${get("pc")})`))}
        ${set("tail", `(select (i32.and ${get("nc")} ${i32(-nr)}) ${i32(0)} ${get("direct")})`)}
        (if (i32.lt_s ${get("tail")} ${get("nc")}) (then
          (call $packB_${sfx(t)} ${get("tb")} ${get("B")} ${get("N")} ${get("K")} ${get("pc")} ${add(get("jc"), get("tail"))} ${get("kc")}
            (i32.sub ${get("nc")} ${get("tail")}))))
        ${set("acc", `(i32.or (i32.gt_s ${get("pc")} ${i32(0)}) ${get("beta")})`)}
        ${forLoop("ic", i32(0), get("M"), i32(mcOf(t)), `
          ${set("mc", min(i32(mcOf(t)), `(i32.sub ${get("M")} ${get("ic")})`))}
          (call $packA_${sfx(t)} ${add(get("A"), add(mul(get("ic"), get("rs")), mul(get("pc"), get("ps"))))} ${get("rs")} ${get("ps")} ${get("mc")} ${get("kc")})
          ${forLoop("jr", i32(0), get("nc"), i32(nr), `
            (if (i32.lt_s ${get("jr")} ${get("tail")})
              (then
                ${set("pb", add(get("B"), mul(add(mul(get("pc"), get("N")), add(get("jc"), get("jr"))), i32(4))))}
                ${set("bs", get("ldc"))})
              (else
                ${set("pb", add(i32(PACK_B), mul(mul(`(i32.sub ${get("jr")} ${get("tail")})`, get("kc")), i32(4))))}
                ${set("bs", i32(nr * 4))}))
            ${forLoop("ir", i32(0), get("mc"), i32(t.mr), `
            (call $micro_${sfx(t)} ${get("kc")}
              ${add(i32(PACK_A), mul(mul(get("ir"), get("kc")), i32(4)))}
              ${get("pb")} ${get("bs")}
              ${add(get("C"), add(mul(add(get("ic"), get("ir")), get("ldc")), mul(add(get("jc"), get("jr")), i32(4))))}
              ${get("ldc")}
              ${min(i32(t.mr), `(i32.sub ${get("mc")} ${get("ir")})`)}
              ${min(i32(nr), `(i32.sub ${get("nc")} ${get("jr")})`)}
              ${get("acc")})`)}`)}`)}`)}`)})`;
}

/** The GEMM functions: a micro-kernel, B packing and loop nest per tile, and the exported `gemm`. */
export function gemmKernels(): string {
  return `${[WIDE, NARROW].map((t) => microKernel(t) + packA(t) + packB(t) + gemmBody(t)).join("\n")}
  ${smallK()}
  ${smallN()}

  ;; C[M,N] = act(op(A)·op(B) + bias) with bias [N] added to every row (an affine layer's forward):
  ;; the rank-K path applies bias and act before its store, any other shape runs gemm then biasAct.
  ;; Bit-identical to gemm (beta 0) followed by biasAct.
  (func (export "gemmBiasAct") (param $ta i32) (param $tb i32) (param $M i32) (param $N i32) (param $K i32)
      (param $A i32) (param $B i32) (param $C i32) (param $bias i32) (param $act i32) (param $slope f32)
    (if (i32.or (i32.le_s ${get("M")} ${i32(0)}) (i32.le_s ${get("N")} ${i32(0)})) (then (return)))
    (if (i32.and (i32.and (i32.le_s ${get("K")} ${i32(SMALL_K_MAX)}) (i32.ge_s ${get("K")} ${i32(1)})) (i32.ge_s ${get("N")} ${i32(NR)}))
      (then (call $gemm_smallK ${["ta", "tb", "M", "N", "K", "A", "B", "C"].map(get).join(" ")} ${i32(0)} ${["bias", "act", "slope"].map(get).join(" ")} ${i32(0)} ${i32(0)}) (return)))
    (call $gemm ${["ta", "tb", "M", "N", "K", "A", "B", "C"].map(get).join(" ")} ${i32(0)})
    (call $biasAct ${["C", "bias", "M", "N", "act", "slope"].map(get).join(" ")}))

  ;; C[M,N] = act'(Y) ⊙ (op(A)·op(B)) and sums[N] = Σ_rows C (the input gradient of an affine layer
  ;; through the fused activation of the affine before it, with that one's bias gradient): the rank-K
  ;; path masks and sums before its store, any other shape runs gemm then actBackwardColSum in place.
  ;; Bit-identical to gemm (beta 0) followed by actBackwardColSum.
  (func (export "gemmActBackward") (param $ta i32) (param $tb i32) (param $M i32) (param $N i32) (param $K i32)
      (param $A i32) (param $B i32) (param $C i32) (param $Y i32) (param $act i32) (param $slope f32) (param $sums i32)
    (if (i32.or (i32.le_s ${get("M")} ${i32(0)}) (i32.le_s ${get("N")} ${i32(0)})) (then (return)))
    (if (i32.and (i32.and (i32.le_s ${get("K")} ${i32(SMALL_K_MAX)}) (i32.ge_s ${get("K")} ${i32(1)})) (i32.ge_s ${get("N")} ${i32(NR)}))
      (then (call $gemm_smallK ${["ta", "tb", "M", "N", "K", "A", "B", "C"].map(get).join(" ")} ${i32(0)} ${i32(0)} ${["act", "slope", "Y", "sums"].map(get).join(" ")}) (return)))
    (call $gemm ${["ta", "tb", "M", "N", "K", "A", "B", "C"].map(get).join(" ")} ${i32(0)})
    (call $actBackwardColSum ${["C", "Y", "C", "M", "N", "act", "slope", "sums"].map(get).join(" ")}))

  ;; C[M,N] = beta·C + op(A)[M,K]·op(B)[K,N]; see gemm-ref.ts. A, B, C byte pointers; beta 0|1.
  (func $gemm (export "gemm") (param $ta i32) (param $tb i32) (param $M i32) (param $N i32) (param $K i32)
      (param $A i32) (param $B i32) (param $C i32) (param $beta i32)
    (if (i32.or (i32.le_s ${get("M")} ${i32(0)}) (i32.le_s ${get("N")} ${i32(0)})) (then (return)))
    (if (i32.le_s ${get("K")} ${i32(0)}) (then
      (if (i32.eqz ${get("beta")}) (then (memory.fill ${get("C")} ${i32(0)} ${mul(mul(get("M"), get("N")), i32(4))})))
      (return)))
    (if (i32.and (i32.le_s ${get("K")} ${i32(SMALL_K_MAX)}) (i32.ge_s ${get("N")} ${i32(NR)}))
      (then (call $gemm_smallK ${["ta", "tb", "M", "N", "K", "A", "B", "C", "beta"].map(get).join(" ")} ${i32(0)} ${i32(0)} (f32.const 0) ${i32(0)} ${i32(0)}) (return)))
    (if (i32.and (i32.le_s ${get("N")} ${i32(SMALL_N_MAX)}) (i32.ge_s ${get("K")} ${i32(8)}))
      (then (call $gemm_smallN ${["ta", "tb", "M", "N", "K", "A", "B", "C", "beta"].map(get).join(" ")}
        ${mul(get("N"), i32(4))} ${i32(4)}) (return)))
    ;; Few rows (M ≤ ${SMALL_N_MAX}): Cᵀ = op(B)ᵀ·op(A)ᵀ has few columns; write it transposed into C.
    (if (i32.and (i32.le_s ${get("M")} ${i32(SMALL_N_MAX)}) (i32.ge_s ${get("K")} ${i32(8)}))
      (then (call $gemm_smallN (i32.eqz ${get("tb")}) (i32.eqz ${get("ta")}) ${["N", "M", "K", "B", "A", "C", "beta"].map(get).join(" ")}
        ${i32(4)} ${mul(get("N"), i32(4))}) (return)))
    (if (i32.le_s ${get("N")} ${i32(nrOf(NARROW))})
      (then (call $gemm_${sfx(NARROW)} ${["ta", "tb", "M", "N", "K", "A", "B", "C", "beta"].map(get).join(" ")}))
      (else (call $gemm_${sfx(WIDE)} ${["ta", "tb", "M", "N", "K", "A", "B", "C", "beta"].map(get).join(" ")}))))`;
}
