/**
 * WAT of the first-order update rules besides Adam (elementwise.ts): SGD, momentum / Nesterov
 * momentum, the AdaGrad / RMSProp cache update, and the L2 gradient term — each one pass over n
 * floats, v128 then scalar.
 */
import { add, get, locals, maddOf, set } from "./dsl.ts";
import { elementwise } from "./elementwise.ts";

/** The same formula as v128 or f32 code: op names, loads/stores, scalar params splatted as v{name}. */
function ops(t: "v" | "s") {
  const v = t === "v";
  return {
    add: v ? "f32x4.add" : "f32.add", sub: v ? "f32x4.sub" : "f32.sub", mul: v ? "f32x4.mul" : "f32.mul",
    div: v ? "f32x4.div" : "f32.div", sqrt: v ? "f32x4.sqrt" : "f32.sqrt",
    load: (p: string, o: string) => `(${v ? "v128.load" : "f32.load"} ${add(get(p), o)})`,
    store: (p: string, o: string, x: string) => `(${v ? "v128.store" : "f32.store"} ${add(get(p), o)} ${x})`,
    c: (name: string) => get(v ? `v${name}` : name),
    tmp: (name: string) => `${name}${t}`,
    ...maddOf(t),
  };
}

/** Splatted copies v{name} of f32 params or locals: their declarations, and the code that sets them. */
const splatDecl = (names: string[]) => locals("v128", names.map((n) => `v${n}`));
const splatInit = (names: string[]) => names.map((n) => set(`v${n}`, `(f32x4.splat ${get(n)})`)).join(" ");
const loopLocals = `(local $i i32) (local $n4 i32) (local $n16 i32) ${locals("v128", ["xv", "yv"])} ${locals("f32", ["xs", "ys"])}`;

export function updateKernels(): string {
  const sgd = (t: "v" | "s", o: string) => {
    const k = ops(t);
    return k.store("w", o, k.nmadd(k.c("lr"), k.load("g", o), k.load("w", o)));
  };
  // v' = mu·v − lr·g; w += v' (momentum) or w += −mu·v + (1 + mu)·v' (Nesterov, CS231n's form).
  const momentum = (nesterov: boolean) => (t: "v" | "s", o: string) => {
    const k = ops(t), x = k.tmp("x"), y = k.tmp("y");
    return `${set(x, k.load("v", o))}
      ${set(y, k.nmadd(k.c("lr"), k.load("g", o), `(${k.mul} ${k.c("mu")} ${get(x)})`))}
      ${k.store("v", o, get(y))}
      ${k.store("w", o, `(${k.add} ${k.load("w", o)} ${nesterov
        ? k.nmadd(k.c("mu"), get(x), `(${k.mul} ${k.c("mu1")} ${get(y)})`)
        : get(y)})`)}`;
  };
  // c = decay·c + gain·g²; w −= lr·g / (sqrt(c) + eps).
  const cache = (t: "v" | "s", o: string) => {
    const k = ops(t), x = k.tmp("x"), y = k.tmp("y");
    return `${set(x, k.load("g", o))}
      ${set(y, k.madd(k.c("gain"), `(${k.mul} ${get(x)} ${get(x)})`, `(${k.mul} ${k.c("decay")} ${k.load("c", o)})`))}
      ${k.store("c", o, get(y))}
      ${k.store("w", o, `(${k.sub} ${k.load("w", o)} (${k.div} (${k.mul} ${k.c("lr")} ${get(x)}) (${k.add} (${k.sqrt} ${get(y)}) ${k.c("eps")})))`)}`;
  };
  const loop = (body: (t: "v" | "s", o: string) => string) => elementwise(get("n"), (o) => body("v", o), (o) => body("s", o));
  return `
  ;; w −= lr·g over n floats.
  (func (export "sgd") (param $w i32) (param $g i32) (param $n i32) (param $lr f32)
    ${loopLocals} ${splatDecl(["lr"])}
    ${splatInit(["lr"])}
    ${loop(sgd)})

  ;; Momentum (nesterov = 0) or Nesterov momentum (nesterov = 1) over n floats; see updates-ref.ts.
  (func (export "momentum") (param $w i32) (param $g i32) (param $v i32) (param $n i32) (param $lr f32) (param $mu f32) (param $nesterov i32)
    (local $mu1 f32) ${loopLocals} ${splatDecl(["lr", "mu", "mu1"])}
    ${set("mu1", `(f32.add (f32.const 1) ${get("mu")})`)}
    ${splatInit(["lr", "mu", "mu1"])}
    (if ${get("nesterov")} (then ${loop(momentum(true))}) (else ${loop(momentum(false))})))

  ;; L2 regularisation: g += l2·w over n floats; returns Σ w² in float64 (each v128 of w promoted to
  ;; two f64x2, squared and summed in two f64x2 accumulators).
  (func (export "l2Grad") (param $w i32) (param $g i32) (param $n i32) (param $l2 f32) (result f64)
    ${loopLocals} ${splatDecl(["l2"])} (local $lo v128) (local $hi v128) (local $d v128) (local $sq f64) (local $sd f64)
    ${splatInit(["l2"])}
    ${set("lo", "(v128.const i32x4 0 0 0 0)")} ${set("hi", "(v128.const i32x4 0 0 0 0)")} ${set("sq", "(f64.const 0)")}
    ${loop((t, o) => {
      const k = ops(t), x = k.tmp("x");
      // Squares in float64 (w promoted first), as the twin computes them.
      const acc = t === "v"
        ? `${set("d", `(f64x2.promote_low_f32x4 ${get(x)})`)}
      ${set("lo", `(f64x2.add ${get("lo")} (f64x2.mul ${get("d")} ${get("d")}))`)}
      ${set("d", `(f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${get(x)} ${get(x)}))`)}
      ${set("hi", `(f64x2.add ${get("hi")} (f64x2.mul ${get("d")} ${get("d")}))`)}`
        : `${set("sd", `(f64.promote_f32 ${get(x)})`)} ${set("sq", `(f64.add ${get("sq")} (f64.mul ${get("sd")} ${get("sd")}))`)}`;
      return `${set(x, k.load("w", o))}
      ${k.store("g", o, k.madd(k.c("l2"), get(x), k.load("g", o)))}
      ${acc}`;
    })}
    (f64.add ${get("sq")} (f64.add
      (f64.add (f64x2.extract_lane 0 ${get("lo")}) (f64x2.extract_lane 1 ${get("lo")}))
      (f64.add (f64x2.extract_lane 0 ${get("hi")}) (f64x2.extract_lane 1 ${get("hi")})))))

  ;; AdaGrad (decay = gain = 1) / RMSProp (decay = rho, gain = 1 − rho) over n floats; see updates-ref.ts.
  (func (export "cacheUpdate") (param $w i32) (param $g i32) (param $c i32) (param $n i32) (param $lr f32) (param $decay f32) (param $gain f32) (param $eps f32)
    ${loopLocals} ${splatDecl(["lr", "decay", "gain", "eps"])}
    ${splatInit(["lr", "decay", "gain", "eps"])}
    ${loop(cache)})`;
}
