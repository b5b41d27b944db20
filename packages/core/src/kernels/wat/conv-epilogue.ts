/**
 * WAT of the conv layer's fused epilogue and prologue (twins in ../conv-epilogue-ref.ts): the
 * layout changes between the batched conv GEMM's channel-major [F, N·PQ] and NCHW [N, F, PQ]
 * (twins ../fused-ref.ts channelsToSamplesRef / samplesToChannelsRef) with the activation after the conv applied in
 * the same pass: forward samp = act(chan + bias[f]); backward chan = dout ⊙ act'(y) read off the
 * layer's output y (NCHW), with the bias gradient Σ_{n,p} of it. One specialised loop per
 * activation; four floats per step, then a scalar tail.
 */
import { actSca, actVec, perAct } from "./elementwise.ts";
import { add, forLoop, get, i32, mul, set } from "./dsl.ts";

export function convEpilogueKernels(): string {
  const at = (base: string, idx: string) => add(get(base), `(i32.shl ${idx} ${i32(2)})`);
  /** For each f (per-f setup), each n (row pointers cm into chan, sm into samp and ym into y), p in 4s then 1s. */
  const loops = (perF: string, body4: string, body1: string, afterF: string) => `
    ${set("pq4", `(i32.and ${get("PQ")} ${i32(-4)})`)}
    ${forLoop("f", i32(0), get("F"), i32(1), `
      ${perF}
      ${forLoop("n", i32(0), get("N"), i32(1), `
        ${set("cm", add(get("chan"), mul(add(mul(get("f"), get("N")), get("n")), mul(get("PQ"), i32(4)))))}
        ${set("sm", mul(add(mul(get("n"), get("F")), get("f")), mul(get("PQ"), i32(4))))}
        ${set("ym", add(get("y"), get("sm")))}
        ${set("sm", add(get("samp"), get("sm")))}
        ${forLoop("p", i32(0), get("pq4"), i32(4), body4)}
        ${forLoop("p", get("pq4"), get("PQ"), i32(1), body1)}`)}
      ${afterF}`)}`;
  const loc = `(local $f i32) (local $n i32) (local $p i32) (local $pq4 i32) (local $cm i32) (local $sm i32) (local $ym i32)
    (local $bv v128) (local $bs f32) (local $x v128) (local $xs f32) (local $z v128) (local $s v128) (local $d v128) (local $ms f32)`;
  const init = `${set("z", "(v128.const i32x4 0 0 0 0)")} ${set("s", `(f32x4.splat ${get("slope")})`)}`;
  const fwd = perAct((act) => loops(
    `${set("bs", `(f32.load ${at("bias", get("f"))})`)} ${set("bv", `(f32x4.splat ${get("bs")})`)}`,
    `${set("x", `(f32x4.add (v128.load ${at("cm", get("p"))}) ${get("bv")})`)}
          (v128.store ${at("sm", get("p"))} ${actVec(act)})`,
    `${set("xs", `(f32.add (f32.load ${at("cm", get("p"))}) ${get("bs")})`)}
          (f32.store ${at("sm", get("p"))} ${actSca(act)})`,
    ""));
  // dout ⊙ act'(y): relu keeps dout where y > 0; leaky scales it by slope elsewhere (actBackward's rule).
  const backVec = (act: number) => {
    const pos = `(f32x4.gt (v128.load ${at("ym", get("p"))}) ${get("z")})`;
    return act === 1 ? `(v128.and ${get("d")} ${pos})` : act === 2 ? `(v128.bitselect ${get("d")} (f32x4.mul ${get("d")} ${get("s")}) ${pos})` : get("d");
  };
  const backSca = (act: number) => {
    const pos = `(f32.gt (f32.load ${at("ym", get("p"))}) (f32.const 0))`;
    return act === 1 ? `(select ${get("xs")} (f32.const 0) ${pos})` : act === 2 ? `(select ${get("xs")} (f32.mul ${get("xs")} ${get("slope")}) ${pos})` : get("xs");
  };
  const bwd = perAct((act) => loops(
    `${set("bs", "(f32.const 0)")} ${set("bv", "(v128.const i32x4 0 0 0 0)")}`,
    `${set("d", `(v128.load ${at("sm", get("p"))})`)}
          ${set("x", backVec(act))}
          (v128.store ${at("cm", get("p"))} ${get("x")})
          ${set("bv", `(f32x4.add ${get("bv")} ${get("x")})`)}`,
    `${set("xs", `(f32.load ${at("sm", get("p"))})`)}
          ${set("ms", backSca(act))}
          (f32.store ${at("cm", get("p"))} ${get("ms")})
          ${set("bs", `(f32.add ${get("bs")} ${get("ms")})`)}`,
    `(f32.store ${at("bias", get("f"))} (f32.add ${get("bs")} (f32.add
        (f32.add (f32x4.extract_lane 0 ${get("bv")}) (f32x4.extract_lane 1 ${get("bv")}))
        (f32.add (f32x4.extract_lane 2 ${get("bv")}) (f32x4.extract_lane 3 ${get("bv")})))))`));
  return `
  ;; samp[n, f, p] = act(chan[f, n·PQ + p] + bias[f])  (F, N, PQ ≥ 1; y unused).
  (func (export "channelsToSamplesAct") (param $chan i32) (param $samp i32) (param $F i32) (param $N i32) (param $PQ i32) (param $bias i32)
      (param $act i32) (param $slope f32)
    ${loc} (local $y i32)
    ${init}
    ${fwd})

  ;; chan[f, n·PQ + p] = samp[n, f, p]·act'(y[n, f, p]);  bias[f] = Σ_{n,p} of it (the bias gradient).
  (func (export "samplesToChannelsAct") (param $samp i32) (param $y i32) (param $chan i32) (param $F i32) (param $N i32) (param $PQ i32)
      (param $bias i32) (param $act i32) (param $slope f32)
    ${loc}
    ${init}
    ${bwd})`;
}
