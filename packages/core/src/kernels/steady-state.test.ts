import type { ModelConfig } from "@hps/contracts";
import { describe, expect, it } from "vitest";
import { SoftmaxCrossEntropy } from "../losses/softmax-cross-entropy.ts";
import { buildModel } from "../model/build-model.ts";
import { Adam } from "../optimizers/adam.ts";
import { Rng } from "../rng.ts";
import { alloc, arenaStats } from "./arena.ts";

// The arena only grows (see arena.ts), so a training step that called alloc() would leak until
// the trial ends; layers and optimizers must allocate on their first steps and reuse afterwards.
const base: ModelConfig = {
  type: "mlp", hidden: [32, 16], conv: [], activation: "relu", leakySlope: 0.01, eluAlpha: 1, maxoutPieces: 2,
  init: "he", initStd: 0.01, batchNorm: true, dropout: 0.2,
};

/** [alloc calls of the first step, mean alloc calls per step after two warm-up steps]. */
function allocCounts(model: ModelConfig, inShape: number[], batch: number): [number, number] {
  const rng = new Rng(3);
  const net = buildModel(model, inShape, 10, rng);
  const loss = new SoftmaxCrossEntropy();
  const opt = new Adam(0.9, 0.999, 1e-8);
  const dim = inShape.reduce((a, b) => a * b, 1);
  const x = alloc(batch * dim);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = Int32Array.from({ length: batch }, () => rng.int(10));
  const step = () => {
    const scores = net.forward(x, batch, true);
    loss.forward(scores, y, batch, 10);
    net.backward(loss.backward());
    opt.step(net.params(), 1e-3);
  };
  const start = arenaStats().allocations;
  step();
  const first = arenaStats().allocations - start;
  step();
  const before = arenaStats().allocations;
  for (let i = 0; i < 3; i++) step();
  return [first, (arenaStats().allocations - before) / 3];
}

describe("steady state: no alloc() per training step after warm-up", () => {
  it("MLP with batch norm and dropout, Adam", () => {
    const [first, steady] = allocCounts(base, [20], 8);
    expect(first).toBeGreaterThan(0); // the counter sees the first step's buffers
    expect(steady).toBe(0);
  });

  it("CNN (conv → relu → max pool, twice) + fc, Adam", () => {
    const cnn: ModelConfig = {
      ...base, type: "cnn", hidden: [], batchNorm: false, dropout: 0,
      conv: [{ filters: 4, size: 3, stride: 1, pad: 1, pool: { size: 2, stride: 2 } }, { filters: 6, size: 3, stride: 1, pad: 1, pool: { size: 2, stride: 2 } }],
    };
    const [first, steady] = allocCounts(cnn, [1, 12, 12], 4);
    expect(first).toBeGreaterThan(0);
    expect(steady).toBe(0);
  });
});
