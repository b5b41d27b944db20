/**
 * WAT of the GEMM paths for thin products, where a 4×8 (or 4×4) register tile would mostly idle:
 * K ≤ SMALL_K_MAX (rank-K updates) and N ≤ SMALL_N_MAX (dot products / 4-row axpys).
 */
import { add, forLoop, get, i32, locals, madd, min, mul, range, set } from "./dsl.ts";
import { ACT_LEAKY_RELU, ACT_RELU } from "./elementwise.ts";
import { PACK_B } from "./layout.ts";

/** Depths handled by the rank-K kernel instead of the tiled loop nest (spiral's 2-input layer, dx of tiny layers). */
export const SMALL_K_MAX = 4;

/**
 * C[M,N] = beta·C + op(A)·op(B) for K ≤ SMALL_K_MAX and N ≥ 8: one row of C at a time as K rank-1
 * updates, with the K scalars of op(A)'s row splatted once per row and op(B) ([K, N], packed to
 * PACK_B when transposed) streamed from L1. The tiled nest would run a 4×8 micro-kernel call per
 * 2–4 k steps, all call overhead. Optionally adds a bias row and applies an activation before the
 * store (gemmBiasAct: spiral's first layer then needs no separate biasAct pass over C).
 */
export function smallK(): string {
  // The store's epilogue, specialised per call kind so the inner loops carry no runtime branches:
  // "beta" (plain gemm: C = beta·C + …), "bias<act>" (gemmBiasAct), "mask<act>" (gemmActBackward).
  type Epilogue = "beta" | `${"bias" | "mask"}${0 | 1 | 2}`;
  const colOff = `(i32.shl ${get("j")} ${i32(2)})`;
  const vecEpilogue = (ep: Epilogue): string => {
    if (ep === "beta") return `(if ${get("beta")} (then ${set("acc", `(f32x4.add ${get("acc")} (v128.load ${get("dst")}))`)}))`;
    const act = Number(ep[4]);
    if (ep.startsWith("bias")) {
      const x = `(f32x4.add ${get("acc")} (v128.load ${add(get("bias"), colOff)}))`;
      if (act === ACT_RELU) return set("acc", `(f32x4.pmax ${x} ${get("z")})`);
      if (act === ACT_LEAKY_RELU) {
        return `${set("acc", x)} ${set("acc", `(v128.bitselect ${get("acc")} (f32x4.mul ${get("acc")} ${get("s")}) (f32x4.gt ${get("acc")} ${get("z")}))`)}`;
      }
      return set("acc", x);
    }
    const pos = `(f32x4.gt (v128.load ${add(get("mrow"), colOff)}) ${get("z")})`;
    const masked = act === ACT_RELU ? set("acc", `(v128.and ${get("acc")} ${pos})`)
      : act === ACT_LEAKY_RELU ? set("acc", `(v128.bitselect ${get("acc")} (f32x4.mul ${get("acc")} ${get("s")}) ${pos})`) : "";
    return `${masked}
        ${set("sp", add(get("mask"), colOff))}
        (v128.store ${get("sp")} (f32x4.add (v128.load ${get("sp")}) ${get("acc")}))`;
  };
  const scaEpilogue = (ep: Epilogue): string => {
    if (ep === "beta") return `(if ${get("beta")} (then ${set("v", `(f32.add ${get("v")} (f32.load ${get("dst")}))`)}))`;
    const act = Number(ep[4]);
    if (ep.startsWith("bias")) {
      const x = set("v", `(f32.add ${get("v")} (f32.load ${add(get("bias"), colOff)}))`);
      if (act === ACT_RELU) return `${x} ${set("v", `(select (f32.const 0) ${get("v")} (f32.lt ${get("v")} (f32.const 0)))`)}`;
      if (act === ACT_LEAKY_RELU) return `${x} ${set("v", `(select ${get("v")} (f32.mul ${get("v")} ${get("slope")}) (f32.gt ${get("v")} (f32.const 0)))`)}`;
      return x;
    }
    const pos = `(f32.gt (f32.load ${add(get("mrow"), colOff)}) (f32.const 0))`;
    const masked = act === ACT_RELU ? set("v", `(select ${get("v")} (f32.const 0) ${pos})`)
      : act === ACT_LEAKY_RELU ? set("v", `(select ${get("v")} (f32.mul ${get("v")} ${get("slope")}) ${pos})`) : "";
    return `${masked}
        ${set("sp", add(get("mask"), colOff))}
        (f32.store ${get("sp")} (f32.add (f32.load ${get("sp")}) ${get("v")}))`;
  };
  const kernel = (k: number, ep: Epilogue) => `
    ${forLoop("i", i32(0), get("M"), i32(1), `
      ${range(k).map((p) => set(`a${p}`, `(v128.load32_splat ${add(get("arow"), mul(get("ps"), i32(p)))})`)).join("\n      ")}
      ${forLoop("j", i32(0), get("n4"), i32(4), `
        ${set("acc", range(k).reduce((acc, p) => {
          const b = `(v128.load ${add(get("pb"), add(mul(get("ldb"), i32(p)), colOff))})`;
          return acc === "" ? `(f32x4.mul ${get(`a${p}`)} ${b})` : madd(get(`a${p}`), b, acc);
        }, ""))}
        ${set("dst", add(get("crow"), colOff))}
        ${vecEpilogue(ep)}
        (v128.store ${get("dst")} ${get("acc")})`)}
      ${forLoop("j", get("n4"), get("N"), i32(1), `
        ${set("v", range(k).reduce((acc, p) => {
          const term = `(f32.mul (f32x4.extract_lane 0 ${get(`a${p}`)}) (f32.load ${add(get("pb"), add(mul(get("ldb"), i32(p)), colOff))}))`;
          return acc === "" ? term : `(f32.add ${acc} ${term})`;
        }, ""))}
        ${set("dst", add(get("crow"), colOff))}
        ${scaEpilogue(ep)}
        (f32.store ${get("dst")} ${get("v")})`)}
      ${set("arow", add(get("arow"), get("rs")))}
      ${set("crow", add(get("crow"), get("ldc")))}
      ${set("mrow", add(get("mrow"), get("ldc")))}`)}`;
  const byK = (ep: Epilogue, k = 1): string =>
    k === SMALL_K_MAX ? kernel(k, ep) : `(if (i32.eq ${get("K")} ${i32(k)}) (then ${kernel(k, ep)}) (else ${byK(ep, k + 1)}))`;
  const byAct = (kind: "bias" | "mask") =>
    `(if (i32.eq ${get("act")} ${i32(ACT_RELU)}) (then ${byK(`${kind}${ACT_RELU}`)})
      (else (if (i32.eq ${get("act")} ${i32(ACT_LEAKY_RELU)}) (then ${byK(`${kind}${ACT_LEAKY_RELU}`)}) (else ${byK(`${kind}0`)}))))`;
  const body = `(if ${get("mask")} (then ${byAct("mask")})
      (else (if ${get("bias")} (then ${byAct("bias")}) (else ${byK("beta")}))))`;
  return `
  ;; With $bias ≠ 0 (a byte pointer to N floats): C[i,j] = act(C[i,j] + bias[j]) before the store,
  ;; as biasAct computes it (act 0 identity, 1 relu, 2 leaky relu with $slope).
  ;; With $mask ≠ 0 instead (bias 0; $mask = Y [M, N] at $Y and column sums [N] at $mask, zeroed here):
  ;; C[i,j] ·= act'(Y[i,j]) and the sums gain row i, as actBackwardColSum computes them.
  (func $gemm_smallK (param $ta i32) (param $tb i32) (param $M i32) (param $N i32) (param $K i32)
      (param $A i32) (param $B i32) (param $C i32) (param $beta i32) (param $bias i32) (param $act i32) (param $slope f32)
      (param $Y i32) (param $mask i32)
    (local $i i32) (local $j i32) (local $p i32) (local $n4 i32) (local $rs i32) (local $ps i32) (local $ldb i32) (local $ldc i32)
    (local $pb i32) (local $arow i32) (local $crow i32) (local $dst i32) (local $acc v128) (local $v f32) (local $z v128) (local $s v128)
    (local $mrow i32) (local $sp i32)
    ${locals("v128", range(SMALL_K_MAX).map((p) => `a${p}`))}
    ${set("n4", `(i32.and ${get("N")} ${i32(-4)})`)}
    ${set("ldc", mul(get("N"), i32(4)))}
    ${set("z", "(v128.const i32x4 0 0 0 0)")} ${set("s", `(f32x4.splat ${get("slope")})`)}
    ${set("mrow", get("Y"))}
    (if ${get("mask")} (then (memory.fill ${get("mask")} ${i32(0)} ${mul(get("N"), i32(4))})))
    (if ${get("ta")}
      (then ${set("rs", i32(4))} ${set("ps", mul(get("M"), i32(4)))})
      (else ${set("rs", mul(get("K"), i32(4)))} ${set("ps", i32(4))}))
    ;; op(B) as K rows of N floats: B itself, or B (N×K) transposed into PACK_B.
    (if ${get("tb")}
      (then
        ${forLoop("j", i32(0), get("N"), i32(1), forLoop("p", i32(0), get("K"), i32(1), `
          (f32.store ${add(i32(PACK_B), mul(add(mul(get("p"), get("N")), get("j")), i32(4)))}
            (f32.load ${add(get("B"), mul(add(mul(get("j"), get("K")), get("p")), i32(4)))}))`))}
        ${set("pb", i32(PACK_B))})
      (else ${set("pb", get("B"))}))
    ${set("ldb", get("ldc"))}
    ${set("arow", get("A"))}
    ${set("crow", get("C"))}
    ${body})`;
}

/** Widths handled by the small-N kernels (output layers of 2–4 classes, their dW and dx). */
export const SMALL_N_MAX = 4;

const hsum = (v: string) => `(f32.add (f32.add (f32x4.extract_lane 0 ${v}) (f32x4.extract_lane 1 ${v}))
          (f32.add (f32x4.extract_lane 2 ${v}) (f32x4.extract_lane 3 ${v})))`;

/**
 * C[M,N] (+)= op(A)·op(B) for N ≤ SMALL_N_MAX and K ≥ 8, where a 4-column tile would idle:
 * - op(A) untransposed (rows contiguous in k): dot products of two rows of A with the N columns
 *   of op(B) (op(B)ᵀ packed to PACK_B as N rows of K unless B is already transposed), v128 over k,
 *   2·N accumulators, a horizontal sum at the end;
 * - op(A) transposed (A is [K, M]: 4 consecutive rows of C share a v128 of A at each k): N
 *   accumulators of 4 rows each, op(B)[k, j] splatted (op(B) packed to PACK_B as K rows of N).
 * C[i, j] is at C + i·crs + j·ccs (bytes), so gemm can also use it for M ≤ 4 by computing Cᵀ.
 */
export function smallN(): string {
  // These loops are bound by the latency of their accumulator chains (2·N or N of them), not by
  // throughput: a fused multiply-add puts its 4-cycle latency on the chain where mul + add put
  // only the add's 3 (the mul runs off the chain), so they keep mul + add in the FMA module too
  // (spiral, whose 100→3 layer runs here, measured slower with relaxed_madd in these loops).
  const chainMadd = (a: string, b: string, c: string) => `(f32x4.add ${c} (f32x4.mul ${a} ${b}))`;
  const range1 = (n: number) => range(n);
  const dot = (n: number) => `
    ${forLoop("i", i32(0), get("M"), i32(2), `
      ${set("a0", add(get("A"), mul(get("i"), get("lda"))))}
      ${set("a1", add(get("A"), mul(min(add(get("i"), i32(1)), `(i32.sub ${get("M")} ${i32(1)})`), get("lda"))))}
      ${range1(n).flatMap((j) => [set(`s0_${j}`, "(v128.const i32x4 0 0 0 0)"), set(`s1_${j}`, "(v128.const i32x4 0 0 0 0)")]).join(" ")}
      ${forLoop("p", i32(0), get("k4"), i32(4), `
        ${set("x0", `(v128.load ${add(get("a0"), `(i32.shl ${get("p")} ${i32(2)})`)})`)}
        ${set("x1", `(v128.load ${add(get("a1"), `(i32.shl ${get("p")} ${i32(2)})`)})`)}
        ${range1(n).map((j) => `${set("b", `(v128.load ${add(add(get("bt"), mul(get("ldbt"), i32(j))), `(i32.shl ${get("p")} ${i32(2)})`)})`)}
        ${set(`s0_${j}`, chainMadd(get("x0"), get("b"), get(`s0_${j}`)))}
        ${set(`s1_${j}`, chainMadd(get("x1"), get("b"), get(`s1_${j}`)))}`).join("\n        ")}`)}
      ${range1(n).map((j) => `${set(`t0_${j}`, hsum(get(`s0_${j}`)))} ${set(`t1_${j}`, hsum(get(`s1_${j}`)))}`).join("\n      ")}
      ${forLoop("p", get("k4"), get("K"), i32(1), `
        ${set("u0", `(f32.load ${add(get("a0"), `(i32.shl ${get("p")} ${i32(2)})`)})`)}
        ${set("u1", `(f32.load ${add(get("a1"), `(i32.shl ${get("p")} ${i32(2)})`)})`)}
        ${range1(n).map((j) => `${set("w", `(f32.load ${add(add(get("bt"), mul(get("ldbt"), i32(j))), `(i32.shl ${get("p")} ${i32(2)})`)})`)}
        ${set(`t0_${j}`, `(f32.add ${get(`t0_${j}`)} (f32.mul ${get("u0")} ${get("w")}))`)}
        ${set(`t1_${j}`, `(f32.add ${get(`t1_${j}`)} (f32.mul ${get("u1")} ${get("w")}))`)}`).join("\n        ")}`)}
      ${set("dst", add(get("C"), mul(get("i"), get("crs"))))}
      ${range1(n).map((j) => `(if ${get("beta")} (then ${set(`t0_${j}`, `(f32.add ${get(`t0_${j}`)} (f32.load ${add(get("dst"), mul(get("ccs"), i32(j)))}))`)}))
      (f32.store ${add(get("dst"), mul(get("ccs"), i32(j)))} ${get(`t0_${j}`)})`).join("\n      ")}
      (if (i32.lt_s ${add(get("i"), i32(1))} ${get("M")}) (then
        ${set("dst", add(get("dst"), get("crs")))}
        ${range1(n).map((j) => `(if ${get("beta")} (then ${set(`t1_${j}`, `(f32.add ${get(`t1_${j}`)} (f32.load ${add(get("dst"), mul(get("ccs"), i32(j)))}))`)}))
        (f32.store ${add(get("dst"), mul(get("ccs"), i32(j)))} ${get(`t1_${j}`)})`).join("\n        ")}))`)}`;
  const store4 = (n: number, acc: string, row0: number) => range(4).map((r) => `${set("dst", add(get("C"), mul(add(get("i"), i32(row0 + r)), get("crs"))))}
      ${range1(n).map((j) => `${set("w", `(f32x4.extract_lane ${r} ${get(`${acc}_${j}`)})`)}
      (if ${get("beta")} (then ${set("w", `(f32.add ${get("w")} (f32.load ${add(get("dst"), mul(get("ccs"), i32(j)))}))`)}))
      (f32.store ${add(get("dst"), mul(get("ccs"), i32(j)))} ${get("w")})`).join("\n      ")}`).join("\n      ");
  const axpy = (n: number) => `
    ;; 8 rows at a time: 2·N independent accumulator chains over k (4 rows: N chains, add-latency bound).
    ${forLoop("i", i32(0), get("m8"), i32(8), `
      ${range1(n).map((j) => `${set(`s0_${j}`, "(v128.const i32x4 0 0 0 0)")} ${set(`s1_${j}`, "(v128.const i32x4 0 0 0 0)")}`).join(" ")}
      ${set("a0", add(get("A"), `(i32.shl ${get("i")} ${i32(2)})`))}
      ${set("bp", get("pb"))}
      ${forLoop("p", i32(0), get("K"), i32(1), `
        ${set("x0", `(v128.load ${get("a0")})`)}
        ${set("x1", `(v128.load offset=16 ${get("a0")})`)}
        ${range1(n).map((j) => `${set("b", `(v128.load32_splat offset=${4 * j} ${get("bp")})`)}
        ${set(`s0_${j}`, chainMadd(get("x0"), get("b"), get(`s0_${j}`)))}
        ${set(`s1_${j}`, chainMadd(get("x1"), get("b"), get(`s1_${j}`)))}`).join("\n        ")}
        ${set("a0", add(get("a0"), get("lda")))}
        ${set("bp", add(get("bp"), get("ldbt")))}`)}
      ${store4(n, "s0", 0)}
      ${store4(n, "s1", 4)}`)}
    ${forLoop("i", get("m8"), get("m4"), i32(4), `
      ${range1(n).map((j) => set(`s0_${j}`, "(v128.const i32x4 0 0 0 0)")).join(" ")}
      ${set("a0", add(get("A"), `(i32.shl ${get("i")} ${i32(2)})`))}
      ${set("bp", get("pb"))}
      ${forLoop("p", i32(0), get("K"), i32(1), `
        ${set("x0", `(v128.load ${get("a0")})`)}
        ${range1(n).map((j) => set(`s0_${j}`, chainMadd(get("x0"), `(v128.load32_splat offset=${4 * j} ${get("bp")})`, get(`s0_${j}`)))).join("\n        ")}
        ${set("a0", add(get("a0"), get("lda")))}
        ${set("bp", add(get("bp"), get("ldbt")))}`)}
      ${range(4).map((r) => `${set("dst", add(get("C"), mul(add(get("i"), i32(r)), get("crs"))))}
      ${range1(n).map((j) => `${set("w", `(f32x4.extract_lane ${r} ${get(`s0_${j}`)})`)}
      (if ${get("beta")} (then ${set("w", `(f32.add ${get("w")} (f32.load ${add(get("dst"), mul(get("ccs"), i32(j)))}))`)}))
      (f32.store ${add(get("dst"), mul(get("ccs"), i32(j)))} ${get("w")})`).join("\n      ")}`).join("\n      ")}`)}
    ;; The last M % 4 rows: scalar.
    ${forLoop("i", get("m4"), get("M"), i32(1), `
      ${set("dst", add(get("C"), mul(get("i"), get("crs"))))}
      ${forLoop("j", i32(0), get("N"), i32(1), `
        ${set("w", "(f32.const 0)")}
        ${forLoop("p", i32(0), get("K"), i32(1), `
          ${set("w", `(f32.add ${get("w")} (f32.mul (f32.load ${add(get("A"), mul(add(mul(get("p"), get("M")), get("i")), i32(4)))})
            (f32.load ${add(get("pb"), mul(add(mul(get("p"), get("N")), get("j")), i32(4)))})))`)}`)}
        (if ${get("beta")} (then ${set("w", `(f32.add ${get("w")} (f32.load ${add(get("dst"), mul(get("j"), get("ccs")))}))`)}))
        (f32.store ${add(get("dst"), mul(get("j"), get("ccs")))} ${get("w")})`)}`)}`;
  const byN = (body: (n: number) => string, n = 1): string =>
    n === SMALL_N_MAX ? body(n) : `(if (i32.eq ${get("N")} ${i32(n)}) (then ${body(n)}) (else ${byN(body, n + 1)}))`;
  const accs = range(SMALL_N_MAX).flatMap((j) => [`s0_${j}`, `s1_${j}`]);
  const sums = range(SMALL_N_MAX).flatMap((j) => [`t0_${j}`, `t1_${j}`]);
  return `
  (func $gemm_smallN (param $ta i32) (param $tb i32) (param $M i32) (param $N i32) (param $K i32)
      (param $A i32) (param $B i32) (param $C i32) (param $beta i32) (param $crs i32) (param $ccs i32)
    (local $i i32) (local $j i32) (local $p i32) (local $k4 i32) (local $m4 i32) (local $m8 i32) (local $lda i32)
    (local $bt i32) (local $ldbt i32) (local $pb i32) (local $bp i32) (local $a0 i32) (local $a1 i32) (local $dst i32)
    (local $x0 v128) (local $x1 v128) (local $b v128) (local $u0 f32) (local $u1 f32) (local $w f32)
    ${locals("v128", accs)} ${locals("f32", sums)}
    (if (i32.eqz ${get("ta")})
      (then
        ;; op(B)ᵀ as N rows of K floats: B itself when transposed, else packed.
        (if ${get("tb")}
          (then ${set("bt", get("B"))})
          (else
            ${forLoop("p", i32(0), get("K"), i32(1), forLoop("j", i32(0), get("N"), i32(1), `
              (f32.store ${add(i32(PACK_B), mul(add(mul(get("j"), get("K")), get("p")), i32(4)))}
                (f32.load ${add(get("B"), mul(add(mul(get("p"), get("N")), get("j")), i32(4)))}))`))}
            ${set("bt", i32(PACK_B))}))
        ${set("ldbt", mul(get("K"), i32(4)))}
        ${set("lda", mul(get("K"), i32(4)))}
        ${set("k4", `(i32.and ${get("K")} ${i32(-4)})`)}
        ${byN(dot)})
      (else
        ;; op(B) as K rows of N floats: B itself, or B (N×K) transposed into PACK_B.
        (if ${get("tb")}
          (then
            ${forLoop("j", i32(0), get("N"), i32(1), forLoop("p", i32(0), get("K"), i32(1), `
              (f32.store ${add(i32(PACK_B), mul(add(mul(get("p"), get("N")), get("j")), i32(4)))}
                (f32.load ${add(get("B"), mul(add(mul(get("j"), get("K")), get("p")), i32(4)))}))`))}
            ${set("pb", i32(PACK_B))})
          (else ${set("pb", get("B"))}))
        ${set("ldbt", mul(get("N"), i32(4)))}
        ${set("lda", mul(get("M"), i32(4)))}
        ${set("m4", `(i32.and ${get("M")} ${i32(-4)})`)}
        ${set("m8", `(i32.and ${get("M")} ${i32(-8)})`)}
        ${byN(axpy)})))`;
}

