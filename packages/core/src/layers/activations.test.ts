import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import type { Layer } from "../layer.ts";
import { Rng } from "../rng.ts";
import { Elu, LeakyRelu, Relu, Sigmoid, Tanh } from "./activations.ts";
import { arena, awayFromZero, expectGradientMatches } from "../test-kit.ts";

const shape = [3, 2, 2];
const cases: Array<[string, () => Layer, (v: number) => number]> = [
  ["relu", () => new Relu(shape), (v) => Math.max(0, v)],
  ["leaky_relu", () => new LeakyRelu(shape, 0.1), (v) => (v > 0 ? v : 0.1 * v)],
  ["elu", () => new Elu(shape, 1.3), (v) => (v > 0 ? v : 1.3 * (Math.exp(v) - 1))],
  ["sigmoid", () => new Sigmoid(shape), (v) => 1 / (1 + Math.exp(-v))],
  ["tanh", () => new Tanh(shape), (v) => Math.tanh(v)],
];

describe.each(cases)("%s", (kind, make, f) => {
  it("applies its formula elementwise and keeps the shape", () => {
    const layer = make();
    expect(layer.kind).toBe(kind);
    expect(layer.outShape).toEqual(shape);
    const x = awayFromZero(new Rng(1), 2 * 12, 0.05);
    const y = layer.forward(x, 2, true);
    for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(f(x[i]!), 6);
  });

  it("passes a gradient check (inputs kept ≥ 0.05 from the kink at 0, h = 1e-2)", () => {
    const rng = new Rng(2);
    const layer = make();
    const r = layerGradCheck(layer, awayFromZero(rng, 4 * 12, 0.05), 4, rng);
    expectGradientMatches(r.dx, "dx");
  });

  it("stays finite for huge inputs", () => {
    const y = make().forward(arena([1e30, -1e30, 88, -88, 0, 0, 0, 0, 0, 0, 0, 0]), 1, true);
    for (const v of y) expect(Number.isFinite(v)).toBe(true);
  });
});

describe("kinks and NaN follow PyTorch", () => {
  it("relu and leaky_relu keep NaN (a diverging run must stay visibly non-finite)", () => {
    for (const layer of [new Relu([2]), new LeakyRelu([2], 0.1)]) {
      expect(Number.isNaN(layer.forward(arena([NaN, -1]), 1, true)[0])).toBe(true);
    }
  });

  it("relu'(0) = 0 and leaky_relu'(0) = slope", () => {
    const x = arena([0]);
    const relu = new Relu([1]);
    relu.forward(x, 1, true);
    expect(relu.backward(arena([1]))[0]).toBe(0);
    const leaky = new LeakyRelu([1], 0.2);
    leaky.forward(x, 1, true);
    expect(leaky.backward(arena([1]))[0]).toBeCloseTo(0.2, 7);
  });
});
