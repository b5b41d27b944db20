import { describe, expect, it } from "vitest";
import { Optimizer as OptimizerName } from "@hps/contracts";
import type { Param } from "../layer.ts";
import { Rng } from "../rng.ts";
import { applyL2 } from "./l2.ts";
import { Lbfgs } from "./lbfgs.ts";
import { Momentum } from "./momentum.ts";
import { createOptimizer } from "./registry.ts";
import { cubicInterpolate } from "./strong-wolfe.ts";

function param(name: string, values: number[], decay = true): Param {
  return { name, shape: [values.length], value: Float32Array.from(values), grad: new Float32Array(values.length), decay, frozen: false };
}

const spec = { momentum: 0.9, rmsDecay: 0.99, beta1: 0.9, beta2: 0.999, eps: 1e-8, lbfgsHistory: 5 };

describe("optimiser registry", () => {
  it("maps every spec name to its class and throws on unknown names", () => {
    expect(OptimizerName.options).toEqual(["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "lbfgs"]);
    const made = OptimizerName.options.map((optimizer) => createOptimizer({ ...spec, optimizer }));
    expect(made.map((o) => o.constructor.name)).toEqual(["Sgd", "Momentum", "Nesterov", "AdaGrad", "RmsProp", "Adam", "Lbfgs"]);
    // Only L-BFGS re-evaluates the objective during a step (the trainer runs it full-batch).
    expect(made.map((o) => o.needsClosure)).toEqual([false, false, false, false, false, false, true]);
    expect(() => createOptimizer({ ...spec, optimizer: "adamw" as "adam" })).toThrow(/unknown optimizer "adamw"/);
    expect(() => createOptimizer({ ...spec, optimizer: "toString" as "adam" })).toThrow(/unknown optimizer/);
  });

  it("skips frozen params and updates the others", () => {
    for (const name of OptimizerName.options.filter((n) => n !== "lbfgs")) {
      const opt = createOptimizer({ ...spec, optimizer: name });
      const a = param("a", [1, 2]);
      const b = param("b", [1, 2]);
      b.frozen = true;
      a.grad.set([0.5, -0.5]);
      b.grad.set([0.5, -0.5]);
      opt.step([a, b], 0.1);
      opt.step([a, b], 0.1);
      expect(Array.from(b.value), name).toEqual([1, 2]);
      expect(a.value[0], name).toBeLessThan(1);
      expect(a.value[1], name).toBeGreaterThan(2);
    }
  });
});

describe("L2", () => {
  it("adds ½·l2·ΣW² to the loss and l2·W to the gradient of decayed, non-frozen params only", () => {
    const w = param("W", [1, -2]);
    const b = param("b", [3], false);
    const f = param("F", [5]);
    f.frozen = true;
    w.grad.set([0.1, 0.1]);
    const pen = applyL2([w, b, f], 0.5);
    expect(pen).toBeCloseTo(0.5 * 0.5 * 5, 12);
    expect(Array.from(w.grad)).toEqual([Math.fround(0.1 + 0.5), Math.fround(0.1 - 1)]);
    expect(Array.from(b.grad)).toEqual([0]);
    expect(Array.from(f.grad)).toEqual([0]);
    expect(applyL2([w], 0)).toBe(0);
  });
});

describe("Momentum", () => {
  it("is CS231n's v = μv − lr·g; w += v", () => {
    const p = param("w", [1]);
    const m = new Momentum(0.5);
    p.grad[0] = 2;
    m.step([p], 0.1); // v = −0.2
    m.step([p], 0.1); // v = −0.1 − 0.2 = −0.3
    expect(p.value[0]).toBeCloseTo(1 - 0.2 - 0.3, 6);
  });
});

describe("Lbfgs", () => {
  it("minimises a convex quadratic to its known optimum A⁻¹b", () => {
    // f(x) = ½ xᵀAx − bᵀx with A = MᵀM + I (SPD, 12×12): the optimum solves Ax = b.
    const n = 12;
    const rng = new Rng(5);
    const M = Array.from({ length: n * n }, () => rng.normal());
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += M[k * n + i] * M[k * n + j];
      A[i * n + j] = s;
    }
    const xStar = Array.from({ length: n }, () => rng.normal());
    const b = xStar.map((_, i) => xStar.reduce((s, xj, j) => s + A[i * n + j] * xj, 0));
    const x = param("x", new Array(n).fill(0));
    const closure = () => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += A[i * n + j] * x.value[j];
        x.grad[i] = ax - b[i];
        f += 0.5 * x.value[i] * ax - b[i] * x.value[i];
      }
      return f;
    };
    const lbfgs = new Lbfgs({ history: 10, maxIter: 100, tolGrad: 1e-6 });
    lbfgs.step([x], 1, closure);
    for (let i = 0; i < n; i++) expect(x.value[i]).toBeCloseTo(xStar[i], 3);
    expect(() => lbfgs.step([x], 1)).toThrow(/needs the closure/);
  });

  it("cubic interpolation finds the minimiser of a cubic from two points", () => {
    // f(t) = (t − 1)² has f(0) = 1, f'(0) = −2, f(3) = 4, f'(3) = 4 → minimiser 1.
    expect(cubicInterpolate(0, 1, -2, 3, 4, 4)).toBeCloseTo(1, 12);
    expect(cubicInterpolate(3, 4, 4, 0, 1, -2)).toBeCloseTo(1, 12);
    expect(cubicInterpolate(0, 1, -2, 3, 4, 4, [2, 5])).toBe(2);
  });
});
