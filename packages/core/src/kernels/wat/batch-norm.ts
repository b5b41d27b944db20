/**
 * WAT of the batch-norm kernels (twins in ../batch-norm-ref.ts): the per-channel statistics with the
 * running averages, the normalisation, and the backward pass. x is [N, C, P] float32 (P = 1 for
 * BatchNorm1d, H·W for the spatial form); per-channel values (mean, 1/σ, sums) are float64 arrays,
 * γ, β and the running statistics float32. All arithmetic is float64, as in the twin: f64x2 on pairs
 * of floats (v128.load64_zero + promote; demote + store64_lane), then a scalar tail.
 * Two walks over x: with P = 1 the channels of a sample are contiguous, so a pair is two channels
 * and the per-channel values are loaded beside it; with P > 1 a pair is two elements of one
 * channel's run of P and the per-channel values are splatted once per run. The elementwise outputs
 * are bit-identical to the twin; the sums add in another order (P > 1: two f64x2 accumulators over
 * each run), within a few float64 ulps.
 */
import { add, get, i32, locals, mul, set } from "./dsl.ts";
import { actSca, actVec, perAct } from "./elementwise.ts";

type T = "v" | "s";
/** A per-channel array the body reads: float64 (mean, 1/σ, sums) or float32 (γ, β). */
interface Chan { name: string; f32: boolean }
/** Body of one pair (t = "v", f64x2) or one element (t = "s", f64): `at(ptr)` is the element's byte address in an [N, C, P] float32 array, `cst(name)` a per-channel value. */
type Body = (t: T, at: (ptr: string) => string, cst: (name: string) => string) => string;

const op = (t: T, name: string) => `${t === "v" ? "f64x2" : "f64"}.${name}`;
/** Two floats (or one) at addr, as float64. */
export const loadF32 = (t: T, addr: string) =>
  t === "v" ? `(f64x2.promote_low_f32x4 (v128.load64_zero ${addr}))` : `(f64.promote_f32 (f32.load ${addr}))`;
/** Rounds float64 v to float32 and stores two floats (or one) at addr. */
export const storeF32 = (t: T, addr: string, v: string) =>
  t === "v" ? `(v128.store64_lane 0 ${addr} (f32x4.demote_f64x2_zero ${v}))` : `(f32.store ${addr} (f32.demote_f64 ${v}))`;
const loadF64 = (t: T, addr: string) => `(${t === "v" ? "v128" : "f64"}.load ${addr})`;
const storeF64 = (t: T, addr: string, v: string) => `(${t === "v" ? "v128" : "f64"}.store ${addr} ${v})`;
const f64At = (arr: string, idx: string) => add(get(arr), `(i32.shl ${idx} ${i32(3)})`);
const f32At = (arr: string, idx: string) => add(get(arr), `(i32.shl ${idx} ${i32(2)})`);
/** `while (cond) { body }` with a fresh label. */
let whileId = 0;
const whileLoop = (cond: string, body: string) => {
  const id = `bn${whileId++}`;
  return `(block $B${id} (loop $L${id} (br_if $B${id} (i32.eqz ${cond})) ${body} (br $L${id})))`;
};

/** Column walk (P = 1): c runs over the channels of sample n; e = n·C + c. */
function columnWalk(body: Body, chans: Chan[]): string {
  const cst = (t: T) => (name: string) => {
    const ch = chans.find((c) => c.name === name)!;
    return ch.f32 ? loadF32(t, f32At(name, get("c"))) : loadF64(t, f64At(name, get("c")));
  };
  const at = (ptr: string) => f32At(ptr, get("e"));
  return `
    ${set("n", i32(0))} ${set("e", i32(0))}
    ${whileLoop(`(i32.lt_s ${get("n")} ${get("N")})`, `
      ${set("c", i32(0))}
      ${whileLoop(`(i32.le_s ${add(get("c"), i32(2))} ${get("C")})`, `${body("v", at, cst("v"))}
        ${set("c", add(get("c"), i32(2)))} ${set("e", add(get("e"), i32(2)))}`)}
      (if (i32.lt_s ${get("c")} ${get("C")}) (then ${body("s", at, cst("s"))} ${set("e", add(get("e"), i32(1)))}))
      ${set("n", add(get("n"), i32(1)))}`)}`;
}

/** Run walk (P > 1): for each (n, c) the run e ∈ [(n·C + c)·P, … + P), per-channel values splatted first. */
function runWalk(chans: Chan[], perRun: (inner: (body: Body) => string) => string): string {
  const setup = chans.map(({ name, f32 }) => `${set(`${name}s`, f32 ? loadF32("s", f32At(name, get("c"))) : `(f64.load ${f64At(name, get("c"))})`)}
        ${set(`${name}v`, `(f64x2.splat ${get(`${name}s`)})`)}`).join("\n        ");
  const cst = (t: T) => (name: string) => get(`${name}${t}`);
  const at = (ptr: string) => f32At(ptr, get("e"));
  const inner = (body: Body) => `
        ${whileLoop(`(i32.le_s ${add(get("e"), i32(2))} ${get("end")})`, `${body("v", at, cst("v"))} ${set("e", add(get("e"), i32(2)))}`)}
        (if (i32.lt_s ${get("e")} ${get("end")}) (then ${body("s", at, cst("s"))}))`;
  return `
    ${set("e", i32(0))}
    ${set("n", i32(0))}
    ${whileLoop(`(i32.lt_s ${get("n")} ${get("N")})`, `
      ${set("c", i32(0))}
      ${whileLoop(`(i32.lt_s ${get("c")} ${get("C")})`, `
        ${set("end", add(get("e"), get("P")))}
        ${setup}
        ${perRun(inner)}
        ${set("e", get("end"))}
        ${set("c", add(get("c"), i32(1)))}`)}
      ${set("n", add(get("n"), i32(1)))}`)}`;
}

/** body over every element of [N, C, P]: the column walk when P = 1, else the run walk. */
function eachElement(body: Body, chans: Chan[]): string {
  return `(if (i32.eq ${get("P")} ${i32(1)})
    (then ${columnWalk(body, chans)})
    (else ${runWalk(chans, (inner) => inner(body))}))`;
}

/**
 * into[k][c] += Σ over channel c of terms[k] (float64). Column walk: added into the arrays pair by
 * pair (each channel's sum runs over n in order). Run walk: two f64x2 accumulators per term over
 * the run (pairs alternate between them), reduced as (a0 + a1) + (b0 + b1), then the odd element.
 */
function accumulate(sums: { into: string; term: Body }[], chans: Chan[]): string {
  const column = columnWalk((t, at, cst) => sums.map(({ into, term }) => {
    const addr = f64At(into, get("c"));
    return storeF64(t, addr, `(${op(t, "add")} ${loadF64(t, addr)} ${term(t, at, cst)})`);
  }).join("\n        "), chans);
  const lane = (v: string, k: number) => `(f64x2.extract_lane ${k} ${get(v)})`;
  const run = runWalk(chans, () => {
    const cst = (t: T) => (name: string) => get(`${name}${t}`);
    const at = (ptr: string) => f32At(ptr, get("e"));
    const zero = sums.map((_, k) => `${set(`a${k}`, "(v128.const i64x2 0 0)")} ${set(`b${k}`, "(v128.const i64x2 0 0)")}`).join(" ");
    const addTo = (acc: string) => sums.map(({ term }, k) => set(`${acc}${k}`, `(f64x2.add ${get(`${acc}${k}`)} ${term("v", at, cst("v"))})`)).join(" ");
    return `${zero}
        ${whileLoop(`(i32.le_s ${add(get("e"), i32(4))} ${get("end")})`, `${addTo("a")} ${set("e", add(get("e"), i32(2)))}
          ${addTo("b")} ${set("e", add(get("e"), i32(2)))}`)}
        (if (i32.le_s ${add(get("e"), i32(2))} ${get("end")}) (then ${addTo("a")} ${set("e", add(get("e"), i32(2)))}))
        ${sums.map((_, k) => set(`sum${k}`, `(f64.add (f64.add ${lane(`a${k}`, 0)} ${lane(`a${k}`, 1)}) (f64.add ${lane(`b${k}`, 0)} ${lane(`b${k}`, 1)}))`)).join(" ")}
        (if (i32.lt_s ${get("e")} ${get("end")}) (then
          ${sums.map(({ term }, k) => set(`sum${k}`, `(f64.add ${get(`sum${k}`)} ${term("s", at, cst("s"))})`)).join(" ")}))
        ${sums.map(({ into }, k) => `(f64.store ${f64At(into, get("c"))} (f64.add (f64.load ${f64At(into, get("c"))}) ${get(`sum${k}`)}))`).join(" ")}`;
  });
  return `(if (i32.eq ${get("P")} ${i32(1)}) (then ${column}) (else ${run}))`;
}

/** `for (c = 0; c < C; c++) body` (per-channel scalar work). */
const perChannel = (body: string) => `${set("c", i32(0))}
    ${whileLoop(`(i32.lt_s ${get("c")} ${get("C")})`, `${body} ${set("c", add(get("c"), i32(1)))}`)}`;

const walkLocals = (chans: string[], sums: number) => `(local $n i32) (local $c i32) (local $e i32) (local $end i32) (local $m f64)
    ${locals("f64", chans.map((c) => `${c}s`))} ${locals("v128", chans.map((c) => `${c}v`))}
    ${locals("v128", Array.from({ length: sums }, (_, k) => [`a${k}`, `b${k}`]).flat())} ${locals("f64", Array.from({ length: sums }, (_, k) => `sum${k}`))}`;
const m = (t: T) => (t === "v" ? "(f64x2.splat (local.get $m))" : "(local.get $m)");

/** Locals and setup the activation helpers of elementwise.ts read (x, xs, z = 0, s = slope). */
const actLocals = "(local $x v128) (local $xs f32) (local $z v128) (local $s v128)";
const actInit = `${set("z", "(v128.const i32x4 0 0 0 0)")} ${set("s", `(f32x4.splat ${get("slope")})`)}`;
/**
 * dout·act'(y) at the element(s), promoted to float64: relu keeps dout where y > 0, leaky relu
 * scales it by slope elsewhere (actBackward's rule), identity passes it (y unread).
 */
const grad = (act: number) => (t: T, at: (p: string) => string): string => {
  if (act === 0) return loadF32(t, at("dout"));
  if (t === "v") {
    const d = "(v128.load64_zero " + at("dout") + ")";
    const pos = `(f32x4.gt (v128.load64_zero ${at("y")}) ${get("z")})`;
    const v = act === 1 ? `(v128.and ${d} ${pos})` : `(v128.bitselect ${d} (f32x4.mul ${d} ${get("s")}) ${pos})`;
    return `(f64x2.promote_low_f32x4 ${v})`;
  }
  const d = `(f32.load ${at("dout")})`;
  const pos = `(f32.gt (f32.load ${at("y")}) (f32.const 0))`;
  const v = act === 1 ? `(select ${d} (f32.const 0) ${pos})` : `(select ${d} (f32.mul ${d} ${get("slope")}) ${pos})`;
  return `(f64.promote_f32 ${v})`;
};

export function batchNormKernels(): string {
  whileId = 0;
  const X: Body = (t, at) => loadF32(t, at("x"));
  const dev2: Body = (t, at, cst) => `(${op(t, "mul")} ${devOf(t, at, cst)} ${devOf(t, at, cst)})`;
  const devOf = (t: T, at: (p: string) => string, cst: (n: string) => string) => `(${op(t, "sub")} ${loadF32(t, at("x"))} ${cst("mean")})`;
  const setM = set("m", `(f64.convert_i32_s ${mul(get("N"), get("P"))})`);
  const fill0 = (arr: string) => `(memory.fill ${get(arr)} ${i32(0)} ${mul(get("C"), i32(8))})`;
  const ld = (arr: string) => `(f64.load ${f64At(arr, get("c"))})`;
  const ld32 = (arr: string) => `(f64.promote_f32 (f32.load ${f32At(arr, get("c"))}))`;
  const st = (arr: string, v: string) => `(f64.store ${f64At(arr, get("c"))} ${v})`;
  const st32 = (arr: string, v: string) => `(f32.store ${f32At(arr, get("c"))} (f32.demote_f64 ${v}))`;
  const oneMinus = `(f64.sub (f64.const 1) ${get("mom")})`;
  return `
  ;; Training: mean[c] and 1/√(var[c] + eps) of x [N, C, P] per channel (biased variance, two passes:
  ;; the mean, then the squared deviations), and the running averages (running var unbiased,
  ;; left alone when N·P = 1). Evaluation: mean and 1/σ from the running statistics.
  (func (export "bnStats") (param $x i32) (param $N i32) (param $C i32) (param $P i32) (param $mean i32) (param $istd i32)
      (param $rmean i32) (param $rvar i32) (param $eps f64) (param $mom f64) (param $training i32)
    ${walkLocals(["mean"], 1)} (local $v f64)
    ${setM}
    (if ${get("training")}
      (then
        ${fill0("mean")} ${fill0("istd")}
        ${accumulate([{ into: "mean", term: X }], [])}
        ${perChannel(st("mean", `(f64.div ${ld("mean")} ${get("m")})`))}
        ${accumulate([{ into: "istd", term: dev2 }], [{ name: "mean", f32: false }])}
        ${perChannel(`
          ${set("v", `(f64.div ${ld("istd")} ${get("m")})`)}
          ${st("istd", `(f64.div (f64.const 1) (f64.sqrt (f64.add ${get("v")} ${get("eps")})))`)}
          ${st32("rmean", `(f64.add (f64.mul ${oneMinus} ${ld32("rmean")}) (f64.mul ${get("mom")} ${ld("mean")}))`)}
          (if (f64.gt ${get("m")} (f64.const 1)) (then
            ${st32("rvar", `(f64.add (f64.mul ${oneMinus} ${ld32("rvar")}) (f64.div (f64.mul (f64.mul ${get("mom")} ${get("v")}) ${get("m")}) (f64.sub ${get("m")} (f64.const 1))))`)}))`)})
      (else
        ${perChannel(`${st("mean", ld32("rmean"))}
          ${st("istd", `(f64.div (f64.const 1) (f64.sqrt (f64.add ${ld32("rvar")} ${get("eps")})))`)}`)})))

  ;; x̂ = (x − mean[c])·istd[c] and y = act(γ[c]·x̂ + β[c]) over x [N, C, P] (y, x̂ float32; act applied
  ;; to the float32 value, as actForward would after the layer).
  (func (export "bnNormalize") (param $xin i32) (param $y i32) (param $xhat i32) (param $N i32) (param $C i32) (param $P i32)
      (param $mean i32) (param $istd i32) (param $gamma i32) (param $beta i32) (param $act i32) (param $slope f32)
    ${walkLocals(["mean", "istd", "gamma", "beta"], 0)} (local $hv v128) (local $hs f64) ${actLocals}
    ${actInit}
    ${perAct((act) => eachElement((t, at, cst) => {
      const h = get(`h${t}`);
      const v = `(${op(t, "add")} (${op(t, "mul")} ${cst("gamma")} ${h}) ${cst("beta")})`;
      return `${set(`h${t}`, `(${op(t, "mul")} (${op(t, "sub")} ${loadF32(t, at("xin"))} ${cst("mean")}) ${cst("istd")})`)}
        ${storeF32(t, at("xhat"), h)}
        ${t === "v" ? `${set("x", `(f32x4.demote_f64x2_zero ${v})`)} (v128.store64_lane 0 ${at("y")} ${actVec(act)})`
          : `${set("xs", `(f32.demote_f64 ${v})`)} (f32.store ${at("y")} ${actSca(act)})`}`;
    }, [{ name: "mean", f32: false }, { name: "istd", f32: false }, { name: "gamma", f32: true }, { name: "beta", f32: true }]))})

  ;; Backward of bnNormalize: with g = dout·act'(y) (actBackward's rule, y the layer's output),
  ;; s1[c] = Σ g (dβ), s2[c] = Σ g·x̂ (dγ), then with m = N·P
  ;; training:   dx = k·((m·g − s1) − x̂·s2), k = γ·istd/m (the batch statistics depend on x);
  ;; evaluation: dx = k·g, k = γ·istd.  k [C] float64 is scratch.
  (func (export "bnBackward") (param $dout i32) (param $xhat i32) (param $dx i32) (param $N i32) (param $C i32) (param $P i32)
      (param $s1 i32) (param $s2 i32) (param $k i32) (param $gamma i32) (param $istd i32) (param $dgamma i32) (param $dbeta i32)
      (param $training i32) (param $y i32) (param $act i32) (param $slope f32)
    ${walkLocals(["k", "s1", "s2"], 2)} ${actLocals}
    ${actInit}
    ${perAct((act) => { const G = grad(act); return `
    ${setM}
    ${fill0("s1")} ${fill0("s2")}
    ${accumulate([
      { into: "s1", term: (t, at) => G(t, at) },
      { into: "s2", term: (t, at) => `(${op(t, "mul")} ${G(t, at)} ${loadF32(t, at("xhat"))})` },
    ], [])}
    ${perChannel(`${st32("dbeta", ld("s1"))} ${st32("dgamma", ld("s2"))}
      ${st("k", `(f64.mul ${ld32("gamma")} ${ld("istd")})`)}
      (if ${get("training")} (then ${st("k", `(f64.div ${ld("k")} ${get("m")})`)}))`)}
    (if ${get("training")}
      (then ${eachElement((t, at, cst) => storeF32(t, at("dx"), `(${op(t, "mul")} ${cst("k")}
          (${op(t, "sub")} (${op(t, "sub")} (${op(t, "mul")} ${m(t)} ${G(t, at)}) ${cst("s1")})
            (${op(t, "mul")} ${loadF32(t, at("xhat"))} ${cst("s2")})))`),
        [{ name: "k", f32: false }, { name: "s1", f32: false }, { name: "s2", f32: false }])})
      (else ${eachElement((t, at, cst) => storeF32(t, at("dx"), `(${op(t, "mul")} ${cst("k")} ${G(t, at)})`),
        [{ name: "k", f32: false }])}))`; })})`;
}
