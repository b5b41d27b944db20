import { describe, expect, it } from "vitest";
import { ModelConfig } from "@hps/contracts";
import { SoftmaxCrossEntropy } from "../losses/softmax-cross-entropy.ts";
import { Rng } from "../rng.ts";
import { buildModel } from "./build-model.ts";

function randomBatch(rng: Rng, batch: number, dim: number, classes: number) {
  const x = new Float32Array(batch * dim);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Int32Array(batch);
  for (let i = 0; i < batch; i++) y[i] = rng.int(classes);
  return { x, y };
}

describe("buildModel", () => {
  it("builds affine → activation → … → affine for an mlp, with layer-indexed param names", () => {
    const net = buildModel(ModelConfig.parse({ hidden: [16, 8], batchNorm: true, dropout: 0.5 }), [4], 3, new Rng(1));
    expect(net.layers.map((l) => l.kind)).toEqual([
      "affine", "batch_norm", "relu", "dropout", "affine", "batch_norm", "relu", "dropout", "affine",
    ]);
    expect(net.params().map((p) => p.name)).toEqual(["0.W", "0.b", "1.gamma", "1.beta", "4.W", "4.b", "5.gamma", "5.beta", "8.W", "8.b"]);
    expect(net.outShape).toEqual([3]);
  });

  it("builds conv → bn → activation → pool blocks, flatten and the mlp head for a cnn", () => {
    const cfg = ModelConfig.parse({
      type: "cnn", hidden: [10], batchNorm: true, activation: "maxout", maxoutPieces: 2,
      conv: [{ filters: 4, size: 3, pad: 1, pool: { size: 2, stride: 2 } }],
    });
    const net = buildModel(cfg, [1, 8, 8], 5, new Rng(2));
    expect(net.layers.map((l) => l.kind)).toEqual(["conv", "batch_norm", "maxout", "max_pool", "flatten", "affine", "batch_norm", "maxout", "affine"]);
    expect(net.layers[0]!.outShape).toEqual([8, 8, 8]);
    expect(net.layers[3]!.outShape).toEqual([4, 4, 4]);
    expect(net.layers[5]!.outShape).toEqual([20]);
    const { x } = randomBatch(new Rng(3), 2, 64, 5);
    expect(net.forward(x, 2, true).length).toBe(10);
  });

  it("is reproducible from the seed", () => {
    const cfg = ModelConfig.parse({ hidden: [8] });
    const a = buildModel(cfg, [5], 3, new Rng(9)).paramValues();
    const b = buildModel(cfg, [5], 3, new Rng(9)).paramValues();
    const c = buildModel(cfg, [5], 3, new Rng(10)).paramValues();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("gives an initial softmax loss ≈ ln(classes) with small weights (the lecture's first sanity check)", () => {
    const rng = new Rng(4);
    const net = buildModel(ModelConfig.parse({ hidden: [50], init: "small", initStd: 1e-3 }), [20], 10, rng);
    const { x, y } = randomBatch(rng, 64, 20, 10);
    const loss = new SoftmaxCrossEntropy().forward(net.forward(x, 64, false), y, 64, 10);
    expect(Math.abs(loss - Math.log(10))).toBeLessThan(1e-3);
  });

  it("overfits a tiny batch with plain SGD (the lecture's second sanity check)", () => {
    const rng = new Rng(5);
    const net = buildModel(ModelConfig.parse({ hidden: [32], init: "he" }), [10], 4, rng);
    const lossFn = new SoftmaxCrossEntropy();
    const { x, y } = randomBatch(rng, 16, 10, 4);
    let first = 0;
    let last = 0;
    for (let step = 0; step < 500; step++) {
      last = lossFn.forward(net.forward(x, 16, true), y, 16, 4);
      if (step === 0) first = last;
      net.backward(lossFn.backward());
      for (const p of net.params()) for (let i = 0; i < p.value.length; i++) p.value[i] -= 0.1 * p.grad[i];
    }
    expect(first).toBeGreaterThan(1);
    expect(last).toBeLessThan(0.01);
  });
});
