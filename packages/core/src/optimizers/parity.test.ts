import { describe, expect, it } from "vitest";
import { Lbfgs } from "./lbfgs.ts";
import { loadParityFixture, maxParamDiff, parityProblem, type ParityRun } from "./parity-fixture.ts";
import { createOptimizer } from "./registry.ts";

/**
 * Replays fixtures/optimizers.json (PyTorch 1.13; see fixtures/gen_optimizers.py): same MLP, same
 * data, same initial params, 5 steps. Tolerances are float32-level: PyTorch computes in float32,
 * we keep params/state in float32 with float64 scalars (measured max diffs are ~1e-7; see the report).
 */
const fx = loadParityFixture();
const run = (name: string): ParityRun => fx.runs.find((r) => r.name === name)!;

function firstOrder(name: string): { diff: number; losses: number[] } {
  const r = run(name);
  const c = r.config!;
  const opt = createOptimizer({
    optimizer: name as "sgd", momentum: c.momentum ?? 0.9, rmsDecay: c.rmsDecay ?? 0.99,
    beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, eps: c.eps ?? 1e-8, lbfgsHistory: 10,
  });
  const { params, byName, evaluate, dataLoss } = parityProblem(fx);
  const losses: number[] = [];
  for (let s = 0; s < fx.steps; s++) {
    evaluate();
    losses.push(dataLoss());
    opt.step(params, c.lr);
  }
  return { diff: maxParamDiff(r, byName), losses };
}

describe("optimiser parity with PyTorch 1.13", () => {
  for (const name of ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]) {
    it(`${name}: params after 5 steps (weight decay on W) match`, () => {
      const { diff, losses } = firstOrder(name);
      expect(diff).toBeLessThan(2e-6);
      losses.forEach((l, i) => expect(l).toBeCloseTo(run(name).losses[i], 5));
    });
  }

  for (const name of ["lbfgs_wolfe_iter1", "lbfgs_wolfe_iter8", "lbfgs_fixed"]) {
    it(`${name}: L-BFGS matches torch.optim.LBFGS step for step`, () => {
      const r = run(name);
      const o = r.options!;
      const lbfgs = new Lbfgs({
        history: o.history_size, maxIter: o.max_iter,
        lineSearch: o.line_search_fn === "strong_wolfe" ? "strong_wolfe" : "none",
      });
      const { params, byName, evaluate } = parityProblem(fx);
      const losses = r.losses.map(() => lbfgs.step(params, o.lr, evaluate));
      expect(lbfgs.funcEvals).toBe(r.evals);
      losses.forEach((l, i) => expect(l).toBeCloseTo(r.losses[i], 5));
      expect(maxParamDiff(r, byName)).toBeLessThan(2e-5);
      expect(evaluate()).toBeCloseTo(r.finalLoss!, 5);
    });
  }
});
