/**
 * WAT of the elementwise kernels: bias + activation, activation forward/backward (also with the column
 * sums of its result), column sums, Adam.
 * Each loops over four v128 (16 floats) per step, then one, then a scalar tail.
 */
import { add, forLoop, get, i32, locals, maddOf, mul, set } from "./dsl.ts";

/** Activation codes shared by the kernels and their twins (fused-ref.ts). */
export const ACT_IDENTITY = 0;
export const ACT_RELU = 1;
export const ACT_LEAKY_RELU = 2;

/**
 * Elementwise loop over n floats: a v128 body for i < n - n%4, then a scalar tail.
 * `vec(off)`/`sca(off)` get the byte offset expression of element i.
 */
export function elementwise(n: string, vec: (off: string) => string, sca: (off: string) => string): string {
  const off = `(i32.shl ${get("i")} ${i32(2)})`;
  // Four v128 per iteration while 16 floats remain (the loop overhead, not memory, bounds these
  // kernels on L1/L2-resident data), then one at a time, then scalars.
  const off4 = (k: number) => (k === 0 ? off : add(off, i32(16 * k)));
  return `${set("n16", `(i32.and ${n} ${i32(-16)})`)}
    ${set("n4", `(i32.and ${n} ${i32(-4)})`)}
    ${forLoop("i", i32(0), get("n16"), i32(16), [0, 1, 2, 3].map((k) => vec(off4(k))).join(" "))}
    ${forLoop("i", get("n16"), get("n4"), i32(4), vec(off))}
    ${forLoop("i", get("n4"), n, i32(1), sca(off))}`;
}

/** Activation of v128 x (local "x"), given splat zero "z" and splat slope "s". */
export function actVec(act: number): string {
  // pmax(x, 0) = x < 0 ? 0 : x lane-wise: one maxps, and NaN passes through (f32x4.max costs ~8
  // instructions for its IEEE NaN/±0 rules). Same result as the twin, −0 included.
  if (act === ACT_RELU) return `(f32x4.pmax ${get("x")} ${get("z")})`;
  if (act === ACT_LEAKY_RELU) return `(v128.bitselect ${get("x")} (f32x4.mul ${get("x")} ${get("s")}) (f32x4.gt ${get("x")} ${get("z")}))`;
  return get("x");
}
export function actSca(act: number): string {
  if (act === ACT_RELU) return `(select (f32.const 0) ${get("xs")} (f32.lt ${get("xs")} (f32.const 0)))`;
  if (act === ACT_LEAKY_RELU) return `(select ${get("xs")} (f32.mul ${get("xs")} ${get("slope")}) (f32.gt ${get("xs")} (f32.const 0)))`;
  return get("xs");
}
export const ACTS = [ACT_IDENTITY, ACT_RELU, ACT_LEAKY_RELU];
/** (if act == 0 …) (else (if act == 1 …) …): one specialised loop per activation. */
export function perAct(body: (act: number) => string, k = 0): string {
  if (k === ACTS.length - 1) return body(ACTS[k]!);
  return `(if (i32.eq ${get("act")} ${i32(ACTS[k]!)}) (then ${body(ACTS[k]!)}) (else ${perAct(body, k + 1)}))`;
}

/** biasAct, actForward, actBackward, actBackwardColSum, colSum. */
export function elementwiseKernels(): string {
  const ewLocals = `(local $i i32) (local $n4 i32) (local $n16 i32) (local $x v128) (local $z v128) (local $s v128) (local $xs f32)`;
  return `
  ;; y[r,c] = act(y[r,c] + b[c]) in place; y [rows, cols], b [cols].
  (func $biasAct (export "biasAct") (param $y i32) (param $b i32) (param $rows i32) (param $cols i32) (param $act i32) (param $slope f32)
    ${ewLocals} (local $r i32)
    ${set("z", "(v128.const i32x4 0 0 0 0)")} ${set("s", `(f32x4.splat ${get("slope")})`)}
    ${perAct((act) => forLoop("r", i32(0), get("rows"), i32(1), `
      ${elementwise(get("cols"), (o) => `
        ${set("x", `(f32x4.add (v128.load ${add(get("y"), o)}) (v128.load ${add(get("b"), o)}))`)}
        (v128.store ${add(get("y"), o)} ${actVec(act)})`, (o) => `
        ${set("xs", `(f32.add (f32.load ${add(get("y"), o)}) (f32.load ${add(get("b"), o)}))`)}
        (f32.store ${add(get("y"), o)} ${actSca(act)})`)}
      ${set("y", add(get("y"), mul(get("cols"), i32(4))))}`))})

  ;; y[i] = act(x[i]) for n floats (x and y may be the same buffer).
  (func (export "actForward") (param $x0 i32) (param $y i32) (param $n i32) (param $act i32) (param $slope f32)
    ${ewLocals}
    ${set("z", "(v128.const i32x4 0 0 0 0)")} ${set("s", `(f32x4.splat ${get("slope")})`)}
    ${perAct((act) => elementwise(get("n"), (o) => `
      ${set("x", `(v128.load ${add(get("x0"), o)})`)}
      (v128.store ${add(get("y"), o)} ${actVec(act)})`, (o) => `
      ${set("xs", `(f32.load ${add(get("x0"), o)})`)}
      (f32.store ${add(get("y"), o)} ${actSca(act)})`))})

  ;; dx[i] = dy[i]·act'(y[i]) from the activation OUTPUT y (relu: y > 0; leaky: y > 0 ⇔ x > 0 for slope > 0).
  (func (export "actBackward") (param $dy i32) (param $y i32) (param $dx i32) (param $n i32) (param $act i32) (param $slope f32)
    ${ewLocals} (local $m v128) (local $d v128)
    ${set("z", "(v128.const i32x4 0 0 0 0)")} ${set("s", `(f32x4.splat ${get("slope")})`)}
    ${perAct((act) => elementwise(get("n"), (o) => {
      const d = `(v128.load ${add(get("dy"), o)})`;
      const pos = `(f32x4.gt (v128.load ${add(get("y"), o)}) ${get("z")})`;
      const v = act === ACT_RELU ? `(v128.and ${d} ${pos})`
        : act === ACT_LEAKY_RELU ? `(v128.bitselect ${get("d")} (f32x4.mul ${get("d")} ${get("s")}) ${pos})` : d;
      return `${act === ACT_LEAKY_RELU ? set("d", d) : ""}
      (v128.store ${add(get("dx"), o)} ${v})`;
    }, (o) => {
      const d = `(f32.load ${add(get("dy"), o)})`;
      const pos = `(f32.gt (f32.load ${add(get("y"), o)}) (f32.const 0))`;
      const v = act === ACT_RELU ? `(select ${d} (f32.const 0) ${pos})`
        : act === ACT_LEAKY_RELU ? `(select ${get("xs")} (f32.mul ${get("xs")} ${get("slope")}) ${pos})` : d;
      return `${act === ACT_LEAKY_RELU ? set("xs", d) : ""}
      (f32.store ${add(get("dx"), o)} ${v})`;
    }))})

  ;; actBackward over dy, y, dx [rows, cols] and out[c] = Σ_r dx[r,c] in the same pass (the bias
  ;; gradient of the affine the activation is fused into); the sums add rows in order, as colSum does.
  (func $actBackwardColSum (export "actBackwardColSum") (param $dy i32) (param $y i32) (param $dx i32) (param $rows i32) (param $cols i32)
      (param $act i32) (param $slope f32) (param $out i32)
    ${ewLocals} (local $r i32) (local $d v128) (local $m v128) (local $ms f32)
    (memory.fill ${get("out")} ${i32(0)} ${mul(get("cols"), i32(4))})
    ${set("z", "(v128.const i32x4 0 0 0 0)")} ${set("s", `(f32x4.splat ${get("slope")})`)}
    ${perAct((act) => forLoop("r", i32(0), get("rows"), i32(1), `
      ${elementwise(get("cols"), (o) => {
        const pos = `(f32x4.gt (v128.load ${add(get("y"), o)}) ${get("z")})`;
        const v = act === ACT_RELU ? `(v128.and ${get("d")} ${pos})`
          : act === ACT_LEAKY_RELU ? `(v128.bitselect ${get("d")} (f32x4.mul ${get("d")} ${get("s")}) ${pos})` : get("d");
        return `${set("d", `(v128.load ${add(get("dy"), o)})`)}
        ${set("m", v)}
        (v128.store ${add(get("dx"), o)} ${get("m")})
        (v128.store ${add(get("out"), o)} (f32x4.add (v128.load ${add(get("out"), o)}) ${get("m")}))`;
      }, (o) => {
        const pos = `(f32.gt (f32.load ${add(get("y"), o)}) (f32.const 0))`;
        const v = act === ACT_RELU ? `(select ${get("xs")} (f32.const 0) ${pos})`
          : act === ACT_LEAKY_RELU ? `(select ${get("xs")} (f32.mul ${get("xs")} ${get("slope")}) ${pos})` : get("xs");
        return `${set("xs", `(f32.load ${add(get("dy"), o)})`)}
        ${set("ms", v)}
        (f32.store ${add(get("dx"), o)} ${get("ms")})
        (f32.store ${add(get("out"), o)} (f32.add (f32.load ${add(get("out"), o)}) ${get("ms")}))`;
      })}
      ${set("dy", add(get("dy"), mul(get("cols"), i32(4))))}
      ${set("y", add(get("y"), mul(get("cols"), i32(4))))}
      ${set("dx", add(get("dx"), mul(get("cols"), i32(4))))}`))})

  ;; out[c] = beta·out[c] + Σ_r d[r,c]; d [rows, cols] (the bias gradient).
  (func (export "colSum") (param $d i32) (param $rows i32) (param $cols i32) (param $out i32) (param $beta i32)
    ${ewLocals} (local $r i32)
    (if (i32.eqz ${get("beta")}) (then (memory.fill ${get("out")} ${i32(0)} ${mul(get("cols"), i32(4))})))
    ${forLoop("r", i32(0), get("rows"), i32(1), `
      ${elementwise(get("cols"), (o) => `
        (v128.store ${add(get("out"), o)} (f32x4.add (v128.load ${add(get("out"), o)}) (v128.load ${add(get("d"), o)})))`, (o) => `
        (f32.store ${add(get("out"), o)} (f32.add (f32.load ${add(get("out"), o)}) (f32.load ${add(get("d"), o)})))`)}
      ${set("d", add(get("d"), mul(get("cols"), i32(4))))}`)})`;
}

/** One Adam step over n floats. */
export function adamKernel(): string {
  // g' = g + l2·w; m = b1·m + (1−b1)·g'; v = b2·v + (1−b2)·g'²; w −= lr·(m·ibc1) / (sqrt(v·ibc2) + eps)
  // where ibc1 = 1/(1 − b1^t), ibc2 = 1/(1 − b2^t) (bias corrections, passed in by the caller).
  const names = ["lr", "b1", "c1", "b2", "c2", "eps", "ibc1", "ibc2", "l2"];
  const vecOf = (n: string) => get(`v${n}`);
  const body = (t: "v" | "s", o: string) => {
    const A = t === "v" ? "f32x4.add" : "f32.add";
    const M = t === "v" ? "f32x4.mul" : "f32.mul";
    const D = t === "v" ? "f32x4.div" : "f32.div";
    const Q = t === "v" ? "f32x4.sqrt" : "f32.sqrt";
    const L = t === "v" ? "v128.load" : "f32.load";
    const S = t === "v" ? "v128.store" : "f32.store";
    const c = (n: string) => (t === "v" ? vecOf(n) : get(n));
    const f = maddOf(t);
    const w = t === "v" ? "wv" : "ws", g = t === "v" ? "gv" : "gs", m = t === "v" ? "mv" : "ms", v = t === "v" ? "vv" : "vs";
    return `
      ${set(w, `(${L} ${add(get("w"), o)})`)}
      ${set(g, f.madd(c("l2"), get(w), `(${L} ${add(get("g"), o)})`))}
      ${set(m, f.madd(c("c1"), get(g), `(${M} ${c("b1")} (${L} ${add(get("m"), o)}))`))}
      ${set(v, f.madd(c("c2"), `(${M} ${get(g)} ${get(g)})`, `(${M} ${c("b2")} (${L} ${add(get("v"), o)}))`))}
      (${S} ${add(get("m"), o)} ${get(m)})
      (${S} ${add(get("v"), o)} ${get(v)})
      (${S} ${add(get("w"), o)} (${t === "v" ? "f32x4.sub" : "f32.sub"} ${get(w)}
        (${D} (${M} ${c("lr")} (${M} ${get(m)} ${c("ibc1")})) (${A} (${Q} (${M} ${get(v)} ${c("ibc2")})) ${c("eps")}))))`;
  };
  return `
  ;; One Adam step over n floats (w, g, m, v byte pointers); see fused-ref.ts adamUpdateRef.
  (func (export "adam") (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
      (param $lr f32) (param $b1 f32) (param $b2 f32) (param $eps f32) (param $ibc1 f32) (param $ibc2 f32) (param $l2 f32)
    (local $i i32) (local $n4 i32) (local $n16 i32) (local $c1 f32) (local $c2 f32)
    ${locals("v128", names.map((n) => `v${n}`))} ${locals("v128", ["wv", "gv", "mv", "vv"])} ${locals("f32", ["ws", "gs", "ms", "vs"])}
    ${set("c1", `(f32.sub (f32.const 1) ${get("b1")})`)}
    ${set("c2", `(f32.sub (f32.const 1) ${get("b2")})`)}
    ${names.map((n) => set(`v${n}`, `(f32x4.splat ${get(n)})`)).join(" ")}
    ${elementwise(get("n"), (o) => body("v", o), (o) => body("s", o))})`;
}
