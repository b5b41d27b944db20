/**
 * WAT of countCorrect (twin in ../count-correct-ref.ts): the rows of a batch of scores whose first
 * highest score is at the label. Scalar: rows are 2–10 classes long.
 */
import { add, forLoop, get, i32, mul, set } from "./dsl.ts";

export function countCorrectKernels(): string {
  const at = (idx: string) => add(get("row"), `(i32.shl ${idx} ${i32(2)})`);
  return `
  ;; Σ_i [argmax_j s[i, j] = labels[i]] over s [batch, classes]; the first maximum wins, and a NaN
  ;; score never does (s > top is false), as in the twin.
  (func (export "countCorrect") (param $s i32) (param $labels i32) (param $batch i32) (param $classes i32) (result i32)
    (local $i i32) (local $j i32) (local $row i32) (local $best i32) (local $top f32) (local $v f32) (local $n i32)
    ${forLoop("i", i32(0), get("batch"), i32(1), `
      ${set("row", add(get("s"), mul(mul(get("i"), get("classes")), i32(4))))}
      ${set("best", i32(0))}
      ${set("top", `(f32.load ${get("row")})`)}
      ${forLoop("j", i32(1), get("classes"), i32(1), `
        ${set("v", `(f32.load ${at(get("j"))})`)}
        (if (f32.gt ${get("v")} ${get("top")}) (then ${set("top", get("v"))} ${set("best", get("j"))}))`)}
      ${set("n", add(get("n"), `(i32.eq ${get("best")} (i32.load ${add(get("labels"), `(i32.shl ${get("i")} ${i32(2)})`)}))`))}`)}
    ${get("n")})`;
}
