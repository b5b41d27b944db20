/**
 * WAT of softmaxXent: softmax cross-entropy forward and backward in one pass over a batch of scores
 * (see softmax-ref.ts, its twin), with exp and log as scalar float64 ports of fdlibm's
 * __ieee754_exp / __ieee754_log — the code V8 runs for Math.exp / Math.log — so the results are
 * the twin's bits. Scalar: with 2–10 classes a row is too short for v128, and the exps are chains.
 */
import { get, i32, set } from "./dsl.ts";

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** The double whose high 32-bit word is `hi` and low word 0 (fdlibm compares high words only). */
function fromHighWord(hi: number): number {
  words[0] = 0;
  words[1] = hi;
  return bits[0]!;
}
const f = (x: number) => `(f64.const ${x === -Infinity ? "-inf" : Object.is(x, -0) ? "-0" : String(x)})`;
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;

/** exp for x ≤ 0 or NaN: exp-non-positive.ts's steps (fdlibm's), the 2^k scaling by building the double. */
function expFunc(): string {
  const P = [1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05,
    -1.65339022054652515390e-06, 4.13813679705723846039e-08];
  const x = get("x"), t = get("t");
  const poly = `(f64.sub ${x} (f64.mul ${t} (f64.add ${f(P[0]!)} (f64.mul ${t} (f64.add ${f(P[1]!)} (f64.mul ${t}
      (f64.add ${f(P[2]!)} (f64.mul ${t} (f64.add ${f(P[3]!)} (f64.mul ${t} ${f(P[4]!)}))))))))))`;
  /** 2^e as a double, for −1022 ≤ e ≤ 1023. */
  const pow2 = (e: string) => `(f64.reinterpret_i64 (i64.shl (i64.extend_i32_s (i32.add ${e} ${i32(1023)})) (i64.const 52)))`;
  return `
  (func $expNonPositive (param $x f64) (result f64)
    (local $hi f64) (local $lo f64) (local $k i32) (local $t f64) (local $c f64) (local $y f64)
    (if (f64.le ${x} ${f(-fromHighWord(0x3fd62e42))})
      (then
        (if (f64.lt ${x} ${f(-7.45133219101941108420e+02)}) (then (return ${f(0)})))
        (if (f64.gt ${x} ${f(-fromHighWord(0x3ff0a2b2))})
          (then ${set("hi", `(f64.add ${x} ${f(LN2_HI)})`)} ${set("lo", f(-LN2_LO))} ${set("k", i32(-1))})
          (else
            ${set("k", `(i32.trunc_sat_f64_s (f64.sub (f64.mul ${f(1.44269504088896338700e+00)} ${x}) ${f(0.5)}))`)}
            ${set("hi", `(f64.sub ${x} (f64.mul (f64.convert_i32_s ${get("k")}) ${f(LN2_HI)}))`)}
            ${set("lo", `(f64.mul (f64.convert_i32_s ${get("k")}) ${f(LN2_LO)})`)}))
        ${set("x", `(f64.sub ${get("hi")} ${get("lo")})`)})
      (else (if (f64.gt ${x} ${f(-fromHighWord(0x3e300000))}) (then (return (f64.add ${f(1)} ${x}))))))
    ${set("t", `(f64.mul ${x} ${x})`)}
    ${set("c", poly)}
    (if (i32.eqz ${get("k")}) (then
      (return (f64.sub ${f(1)} (f64.sub (f64.div (f64.mul ${x} ${get("c")}) (f64.sub ${get("c")} ${f(2)})) ${x})))))
    ${set("y", `(f64.sub ${f(1)} (f64.sub (f64.sub ${get("lo")} (f64.div (f64.mul ${x} ${get("c")}) (f64.sub ${f(2)} ${get("c")}))) ${get("hi")}))`)}
    (if (i32.ge_s ${get("k")} ${i32(-1021)}) (then (return (f64.mul ${get("y")} ${pow2(get("k"))}))))
    (f64.mul (f64.mul ${get("y")} ${pow2(`(i32.add ${get("k")} ${i32(1000)})`)}) ${f(2 ** -1000)}))`;
}

/** log for any double: fdlibm's steps (subnormals scaled by 2^54 first; 0 → −∞, < 0 → NaN, ∞/NaN → x + x). */
function logFunc(): string {
  const LG = [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01,
    1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01];
  const fv = get("f"), dk = get("dk");
  const hiWord = `(i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 ${get("x")}) (i64.const 32)))`;
  return `
  (func $log (param $x f64) (result f64)
    (local $hx i32) (local $k i32) (local $i i32) (local $f f64) (local $dk f64) (local $r f64) (local $s f64)
    (local $z f64) (local $w f64) (local $hfsq f64)
    ${set("hx", hiWord)}
    (if (i32.lt_s ${get("hx")} ${i32(0x00100000)}) (then
      (if (f64.eq ${get("x")} ${f(0)}) (then (return ${f(-Infinity)})))
      (if (i32.lt_s ${get("hx")} ${i32(0)}) (then (return (f64.div (f64.sub ${get("x")} ${get("x")}) ${f(0)}))))
      ${set("k", i32(-54))}
      ${set("x", `(f64.mul ${get("x")} ${f(2 ** 54)})`)}
      ${set("hx", hiWord)}))
    (if (i32.ge_s ${get("hx")} ${i32(0x7ff00000)}) (then (return (f64.add ${get("x")} ${get("x")}))))
    ${set("k", `(i32.add ${get("k")} (i32.sub (i32.shr_s ${get("hx")} ${i32(20)}) ${i32(1023)}))`)}
    ${set("hx", `(i32.and ${get("hx")} ${i32(0x000fffff)})`)}
    ${set("i", `(i32.and (i32.add ${get("hx")} ${i32(0x95f64)}) ${i32(0x100000)})`)}
    ;; x with its exponent set to 0 (or −1 when the mantissa is ≥ √2): 1 + f.
    ${set("x", `(f64.reinterpret_i64 (i64.or
      (i64.shl (i64.extend_i32_u (i32.or ${get("hx")} (i32.xor ${get("i")} ${i32(0x3ff00000)}))) (i64.const 32))
      (i64.and (i64.reinterpret_f64 ${get("x")}) (i64.const 0xffffffff))))`)}
    ${set("k", `(i32.add ${get("k")} (i32.shr_s ${get("i")} ${i32(20)}))`)}
    ${set("f", `(f64.sub ${get("x")} ${f(1)})`)}
    ${set("dk", `(f64.convert_i32_s ${get("k")})`)}
    (if (i32.lt_s (i32.and ${i32(0x000fffff)} (i32.add ${i32(2)} ${get("hx")})) ${i32(3)}) (then
      (if (f64.eq ${fv} ${f(0)}) (then
        (if (i32.eqz ${get("k")}) (then (return ${f(0)})))
        (return (f64.add (f64.mul ${dk} ${f(LN2_HI)}) (f64.mul ${dk} ${f(LN2_LO)})))))
      ${set("r", `(f64.mul (f64.mul ${fv} ${fv}) (f64.sub ${f(0.5)} (f64.mul ${f(0.33333333333333333)} ${fv})))`)}
      (if (i32.eqz ${get("k")}) (then (return (f64.sub ${fv} ${get("r")}))))
      (return (f64.sub (f64.mul ${dk} ${f(LN2_HI)}) (f64.sub (f64.sub ${get("r")} (f64.mul ${dk} ${f(LN2_LO)})) ${fv})))))
    ${set("s", `(f64.div ${fv} (f64.add ${f(2)} ${fv}))`)}
    ${set("z", `(f64.mul ${get("s")} ${get("s")})`)}
    ${set("w", `(f64.mul ${get("z")} ${get("z")})`)}
    ;; R = t2 + t1 (odd and even halves of the polynomial).
    ${set("r", `(f64.add
      (f64.mul ${get("z")} (f64.add ${f(LG[0]!)} (f64.mul ${get("w")} (f64.add ${f(LG[2]!)} (f64.mul ${get("w")} (f64.add ${f(LG[4]!)} (f64.mul ${get("w")} ${f(LG[6]!)})))))))
      (f64.mul ${get("w")} (f64.add ${f(LG[1]!)} (f64.mul ${get("w")} (f64.add ${f(LG[3]!)} (f64.mul ${get("w")} ${f(LG[5]!)}))))))`)}
    (if (i32.gt_s (i32.or (i32.sub ${get("hx")} ${i32(0x6147a)}) (i32.sub ${i32(0x6b851)} ${get("hx")})) ${i32(0)})
      (then
        ${set("hfsq", `(f64.mul (f64.mul ${f(0.5)} ${fv}) ${fv})`)}
        (if (i32.eqz ${get("k")}) (then
          (return (f64.sub ${fv} (f64.sub ${get("hfsq")} (f64.mul ${get("s")} (f64.add ${get("hfsq")} ${get("r")})))))))
        (return (f64.sub (f64.mul ${dk} ${f(LN2_HI)})
          (f64.sub (f64.sub ${get("hfsq")} (f64.add (f64.mul ${get("s")} (f64.add ${get("hfsq")} ${get("r")})) (f64.mul ${dk} ${f(LN2_LO)}))) ${fv}))))
      (else
        (if (i32.eqz ${get("k")}) (then (return (f64.sub ${fv} (f64.mul ${get("s")} (f64.sub ${fv} ${get("r")}))))))
        (return (f64.sub (f64.mul ${dk} ${f(LN2_HI)})
          (f64.sub (f64.sub (f64.mul ${get("s")} (f64.sub ${fv} ${get("r")})) (f64.mul ${dk} ${f(LN2_LO)})) ${fv})))))
    (unreachable))`;
}

/** The exported kernel and its helpers. */
export function softmaxKernels(): string {
  const at = (base: string, idx: string) => `(i32.add ${get(base)} (i32.shl ${idx} ${i32(2)}))`;
  const score = (j: string) => `(f64.promote_f32 (f32.load ${at("row", j)}))`;
  return `${expFunc()}
  ${logFunc()}

  ;; Softmax cross-entropy forward + backward; see softmax-ref.ts (softmaxXentRef) for the contract.
  ;; s: scores [batch, classes] f32; lab: labels [batch] i32; g: gradient out [batch, classes] f32.
  (func (export "softmaxXent") (param $s i32) (param $lab i32) (param $batch i32) (param $classes i32) (param $g i32) (result f64)
    (local $i i32) (local $j i32) (local $y i32) (local $argmax i32) (local $row i32) (local $grow i32)
    (local $inv f64) (local $total f64) (local $max f64) (local $v f64) (local $e f64) (local $sum f64) (local $k f64) (local $prod f64)
    ${set("prod", f(1))}
    ${set("inv", `(f64.div ${f(1)} (f64.convert_i32_s ${get("batch")}))`)}
    ${set("row", get("s"))} ${set("grow", get("g"))}
    (block $done (loop $rows
      (br_if $done (i32.ge_s ${get("i")} ${get("batch")}))
      ${set("y", `(i32.load ${at("lab", get("i"))})`)}
      (if (i32.or (i32.lt_s ${get("y")} ${i32(0)}) (i32.ge_s ${get("y")} ${get("classes")}))
        (then (return (f64.neg (f64.convert_i32_s (i32.add ${get("i")} ${i32(1)}))))))
      ${set("max", f(-Infinity))} ${set("argmax", i32(-1))} ${set("j", i32(0))}
      (block $mx (loop $mxl
        (br_if $mx (i32.ge_s ${get("j")} ${get("classes")}))
        ${set("v", score(get("j")))}
        (if (f64.gt ${get("v")} ${get("max")}) (then ${set("max", get("v"))} ${set("argmax", get("j"))}))
        ${set("j", `(i32.add ${get("j")} ${i32(1)})`)}
        (br $mxl)))
      (if (i32.eqz (f64.eq (f64.sub ${get("max")} ${get("max")}) ${f(0)})) (then ${set("argmax", i32(-1))}))
      ${set("sum", f(0))} ${set("j", i32(0))}
      (block $ex (loop $exl
        (br_if $ex (i32.ge_s ${get("j")} ${get("classes")}))
        ${set("e", `(if (result f64) (i32.eq ${get("j")} ${get("argmax")}) (then ${f(1)})
          (else (call $expNonPositive (f64.sub ${score(get("j"))} ${get("max")}))))`)}
        (f32.store ${at("grow", get("j"))} (f32.demote_f64 ${get("e")}))
        ${set("sum", `(f64.add ${get("sum")} ${get("e")})`)}
        ${set("j", `(i32.add ${get("j")} ${i32(1)})`)}
        (br $exl)))
      ${set("total", `(f64.sub ${get("total")} (f64.sub ${score(get("y"))} ${get("max")}))`)}
      ${set("prod", `(f64.mul ${get("prod")} ${get("sum")})`)}
      (if (f64.gt ${get("prod")} ${f(2 ** 600)}) (then
        ${set("total", `(f64.add ${get("total")} (call $log ${get("prod")}))`)}
        ${set("prod", f(1))}))
      ${set("k", `(f64.div ${get("inv")} ${get("sum")})`)}
      ${set("j", i32(0))}
      (block $sc (loop $scl
        (br_if $sc (i32.ge_s ${get("j")} ${get("classes")}))
        (f32.store ${at("grow", get("j"))} (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load ${at("grow", get("j"))})) ${get("k")})))
        ${set("j", `(i32.add ${get("j")} ${i32(1)})`)}
        (br $scl)))
      (f32.store ${at("grow", get("y"))} (f32.demote_f64 (f64.sub (f64.promote_f32 (f32.load ${at("grow", get("y"))})) ${get("inv")})))
      ${set("row", `(i32.add ${get("row")} (i32.shl ${get("classes")} ${i32(2)}))`)}
      ${set("grow", `(i32.add ${get("grow")} (i32.shl ${get("classes")} ${i32(2)}))`)}
      ${set("i", `(i32.add ${get("i")} ${i32(1)})`)}
      (br $rows)))
    (f64.add ${get("total")} (call $log ${get("prod")})))`;
}
