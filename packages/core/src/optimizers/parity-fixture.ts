import { readFileSync } from "node:fs";
import type { Param } from "../layer.ts";
import { Affine } from "../layers/affine.ts";
import { Relu } from "../layers/activations.ts";
import { SoftmaxCrossEntropy } from "../losses/softmax-cross-entropy.ts";
import { Sequential } from "../model/sequential.ts";
import { applyL2 } from "./l2.ts";

/** One optimiser run recorded by fixtures/gen_optimizers.py (PyTorch 1.13). */
export interface ParityRun {
  name: string;
  config?: Record<string, number>;
  options?: { lr: number; max_iter: number; history_size: number; line_search_fn?: string };
  losses: number[];
  evals?: number;
  finalLoss?: number;
  final: Record<string, number[]>;
}

export interface ParityFixture {
  torch: string;
  steps: number;
  l2: number;
  X: number[];
  Y: number[];
  init: Record<string, number[]>;
  runs: ParityRun[];
}

export function loadParityFixture(): ParityFixture {
  return JSON.parse(readFileSync(new URL("../../fixtures/optimizers.json", import.meta.url), "utf8")) as ParityFixture;
}

/**
 * The fixture's MLP 4-6-3 (affine, ReLU, affine; softmax cross-entropy) with its initial params,
 * and a function that evaluates the full batch: data loss, gradients overwritten, L2 gradient added
 * (returns data loss + ½·l2·ΣW², as the trainer's closure does); `dataLoss()` is the data loss of
 * the last evaluation.
 */
export function parityProblem(fx: ParityFixture): {
  params: Param[]; byName: Record<string, Param>; evaluate: () => number; dataLoss: () => number;
} {
  const l1 = new Affine([4], { out: 6, name: "0" });
  const l2 = new Affine([6], { out: 3, name: "2" });
  const model = new Sequential([l1, new Relu([6]), l2]);
  const byName: Record<string, Param> = { W1: l1.W, b1: l1.b, W2: l2.W, b2: l2.b };
  for (const [k, p] of Object.entries(byName)) p.value.set(fx.init[k]);
  const X = Float32Array.from(fx.X);
  const Y = Int32Array.from(fx.Y);
  const loss = new SoftmaxCrossEntropy();
  const params = model.params();
  let last = NaN;
  const evaluate = (): number => {
    const s = model.forward(X, Y.length, true);
    last = loss.forward(s, Y, Y.length, 3);
    model.backward(loss.backward());
    return last + applyL2(params, fx.l2);
  };
  return { params, byName, evaluate, dataLoss: () => last };
}

/** Largest |ours − PyTorch's| over all final params of a run. */
export function maxParamDiff(run: ParityRun, byName: Record<string, Param>): number {
  let m = 0;
  for (const [k, want] of Object.entries(run.final)) {
    const got = byName[k].value;
    for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]));
  }
  return m;
}
