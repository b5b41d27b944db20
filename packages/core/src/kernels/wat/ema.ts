/**
 * WAT of the Polyak average's per-step update (twin in ../ema-ref.ts): ema = d·ema + (1 − d)·w over
 * n parameters, ema float64 (so small 1 − d does not lose the updates to float32 rounding), w
 * float32; f64x2 on pairs, then one scalar. Bit-identical to the twin (the same float64 operations).
 */
import { add, forLoop, get, i32, set } from "./dsl.ts";
import { loadF32 } from "./batch-norm.ts";

export function emaKernels(): string {
  const e = (t: "v" | "s") => {
    const o = t === "v" ? "f64x2" : "f64";
    const ema = add(get("ema"), `(i32.shl ${get("i")} ${i32(3)})`);
    const w = add(get("w"), `(i32.shl ${get("i")} ${i32(2)})`);
    const d = t === "v" ? get("dv") : get("d"), c = t === "v" ? get("cv") : get("c");
    return `(${t === "v" ? "v128" : "f64"}.store ${ema} (${o}.add (${o}.mul ${d} (${t === "v" ? "v128" : "f64"}.load ${ema})) (${o}.mul ${c} ${loadF32(t, w)})))`;
  };
  return `
  ;; ema[i] = d·ema[i] + (1 − d)·w[i] for n floats (ema float64, w float32).
  (func (export "emaUpdate") (param $ema i32) (param $w i32) (param $n i32) (param $d f64)
    (local $i i32) (local $n2 i32) (local $c f64) (local $dv v128) (local $cv v128)
    ${set("c", `(f64.sub (f64.const 1) ${get("d")})`)}
    ${set("dv", `(f64x2.splat ${get("d")})`)} ${set("cv", `(f64x2.splat ${get("c")})`)}
    ${set("n2", `(i32.and ${get("n")} ${i32(-2)})`)}
    ${forLoop("i", i32(0), get("n2"), i32(2), e("v"))}
    ${forLoop("i", get("n2"), get("n"), i32(1), e("s"))})`;
}
