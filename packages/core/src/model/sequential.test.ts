import { describe, expect, it } from "vitest";
import { ModelConfig } from "@hps/contracts";
import { gradCheck } from "../gradcheck.ts";
import { alloc } from "../kernels/index.ts";
import { randn } from "../test-kit.ts";
import { SoftmaxCrossEntropy } from "../losses/softmax-cross-entropy.ts";
import { Rng } from "../rng.ts";
import { buildModel } from "./build-model.ts";
import { ModelFormatError } from "./serialize.ts";
import { LeakyRelu, Relu } from "../layers/activations.ts";
import { Affine } from "../layers/affine.ts";
import { Conv } from "../layers/conv.ts";
import { MaxPool } from "../layers/max-pool.ts";
import { BatchNorm } from "../layers/batch-norm.ts";
import { Flatten } from "../layers/flatten.ts";
import { Sequential } from "./sequential.ts";

const mlp = ModelConfig.parse({ hidden: [6, 5], activation: "tanh", batchNorm: true, init: "xavier" });
const cnn = ModelConfig.parse({
  type: "cnn", hidden: [6], activation: "elu", batchNorm: true,
  conv: [{ filters: 3, size: 3, stride: 1, pad: 1, pool: { size: 2, stride: 2 } }, { filters: 2, size: 3, stride: 2, pad: 1 }],
});

const cnnRelu = ModelConfig.parse({ ...cnn, activation: "relu", batchNorm: false });

describe("Sequential", () => {
  it.each([
    ["mlp (affine, batch norm, tanh)", mlp, [4]],
    ["cnn (conv, spatial batch norm, elu, max pool, flatten, affine)", cnn, [2, 6, 6]],
    ["cnn (conv with its relu fused, max pool, flatten, affine)", cnnRelu, [2, 6, 6]],
    ["mlp (affine, batch norm with its relu fused)", ModelConfig.parse({ hidden: [6, 5], activation: "relu", batchNorm: true }), [4]],
  ])("passes an end-to-end gradient check of the softmax loss: %s", (_, cfg, shape) => {
    const rng = new Rng(1);
    const net = buildModel(cfg, shape, 3, rng);
    const batch = 4;
    const x = randn(rng, batch * shape.reduce((a, b) => a * b, 1));
    const y = Int32Array.from({ length: batch }, () => rng.int(3));
    const loss = new SoftmaxCrossEntropy();
    const L = () => loss.forward(net.forward(x, batch, true), y, batch, 3);
    L();
    const dx = Float64Array.from(net.backward(loss.backward()));
    const grads = net.params().map((p) => Float64Array.from(p.grad));
    // End to end the max-elementwise error is dominated by entries near 1e-4 (float32 noise of a
    // loss summed over the scores) and by max-pool winners that flip within a step, so the norm
    // relative error is the measure here; each layer's own check above is elementwise.
    const opts = { h: 1e-3 };
    expect(gradCheck(L, x, dx, opts).normRelError).toBeLessThan(5e-3);
    net.params().forEach((p, k) => {
      const beforeBn = p.name.endsWith(".b") && net.layers[Number(p.name.split(".")[0]) + 1]?.kind === "batch_norm";
      if (beforeBn) {
        // Batch norm subtracts the batch mean, so a bias just before it has gradient exactly 0.
        for (const g of grads[k]!) expect(Math.abs(g)).toBeLessThan(1e-6);
      } else {
        expect(gradCheck(L, p.value, grads[k]!, opts).normRelError, p.name).toBeLessThan(5e-3);
      }
    });
  });

  it.each([
    ["relu", (s: number[]) => new Relu(s)],
    ["leaky relu", (s: number[]) => new LeakyRelu(s, 0.1)],
  ])("applies a %s inside the affine before it, bit-identical to the separate layers", (_, act) => {
    const make = () => {
      const rng = new Rng(5);
      return [new Affine([3], { out: 7, rng, name: "0" }), act([7]), new Affine([7], { out: 4, rng, name: "2" })] as const;
    };
    const separate = make();
    const net = new Sequential(make());
    const rng = new Rng(6);
    const batch = 5;
    const x = alloc(batch * 3);
    x.set(randn(rng, batch * 3, 2));
    const dscores = randn(rng, batch * 4);
    let h: Float32Array = x;
    for (const l of separate) h = l.forward(h, batch, true);
    expect(Array.from(net.forward(x, batch, true))).toEqual(Array.from(h));
    let d: Float32Array = dscores;
    for (let i = separate.length - 1; i >= 0; i--) d = separate[i]!.backward(d, true);
    expect(Array.from(net.backward(dscores))).toEqual(Array.from(d));
    const want = separate.flatMap((l) => l.params().map((p) => Array.from(p.grad)));
    expect(net.params().map((p) => Array.from(p.grad))).toEqual(want);
  });

  it.each([
    ["relu", (s: number[]) => new Relu(s)],
    ["leaky relu", (s: number[]) => new LeakyRelu(s, 0.1)],
  ])("applies a %s inside the conv before it, bit-identical to the separate layers", (_, act) => {
    const make = () => {
      const rng = new Rng(7);
      const conv = new Conv([2, 6, 6], { filters: 3, size: 3, pad: 1, rng, name: "0" });
      return [conv, act([3, 6, 6]), new MaxPool([3, 6, 6], { size: 2, stride: 2 }), new Conv([3, 3, 3], { filters: 2, size: 3, rng, name: "3" })] as const;
    };
    const separate = make();
    const net = new Sequential(make());
    const rng = new Rng(8);
    const batch = 3;
    const x = randn(rng, batch * 72, 2);
    const dout = randn(rng, batch * 2);
    let h: Float32Array = x;
    for (const l of separate) h = l.forward(h, batch, true);
    expect(Array.from(net.forward(x, batch, true))).toEqual(Array.from(h));
    let d: Float32Array = dout;
    for (let i = separate.length - 1; i >= 0; i--) d = separate[i]!.backward(d, true);
    expect(Array.from(net.backward(dout))).toEqual(Array.from(d));
    const want = separate.flatMap((l) => l.params().map((p) => Array.from(p.grad)));
    expect(net.params().map((p) => Array.from(p.grad))).toEqual(want);
  });

  it.each([
    ["relu", (s: number[]) => new Relu(s)],
    ["leaky relu", (s: number[]) => new LeakyRelu(s, 0.1)],
  ])("applies a %s inside the batch norm before it, bit-identical to the separate layers", (_, act) => {
    const make = () => {
      const rng = new Rng(9);
      const bn = (shape: number[], name: string) => {
        const b = new BatchNorm(shape, { name });
        b.gamma.value.set(randn(rng, b.gamma.value.length, 0.5).map((g) => 1 + g));
        b.beta.value.set(randn(rng, b.beta.value.length, 0.5));
        return b;
      };
      return [new Conv([2, 5, 5], { filters: 3, size: 3, pad: 1, rng, name: "0" }), bn([3, 5, 5], "1"), act([3, 5, 5]),
        new Flatten([3, 5, 5]), new Affine([75], { out: 6, rng, name: "4" }), bn([6], "5"), act([6]), new Affine([6], { out: 2, rng, name: "7" })] as const;
    };
    for (const training of [true, false]) {
      const separate = make();
      const net = new Sequential(make());
      const rng = new Rng(10);
      const batch = 4;
      const x = randn(rng, batch * 50, 2);
      const dout = randn(rng, batch * 2);
      let h: Float32Array = x;
      for (const l of separate) h = l.forward(h, batch, training);
      expect(Array.from(net.forward(x, batch, training))).toEqual(Array.from(h));
      let d: Float32Array = dout;
      for (let i = separate.length - 1; i >= 0; i--) d = separate[i]!.backward(d, true);
      expect(Array.from(net.backward(dout))).toEqual(Array.from(d));
      const want = separate.flatMap((l) => l.params().map((p) => Array.from(p.grad)));
      expect(net.params().map((p) => Array.from(p.grad))).toEqual(want);
    }
  });

  it("round-trips params and running statistics bit for bit through serialize/load", () => {
    const a = buildModel(cnn, [2, 6, 6], 3, new Rng(2));
    a.forward(randn(new Rng(3), 4 * 72), 4, true); // moves the running statistics
    a.params()[0]!.value[0] = NaN;
    const bytes = a.serialize();
    const b = buildModel(cnn, [2, 6, 6], 3, new Rng(99));
    b.load(bytes);
    const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
    a.params().forEach((p, i) => expect(bits(b.params()[i]!.value)).toEqual(bits(p.value)));
    a.buffers().forEach((t, i) => expect(bits(b.buffers()[i]!.value)).toEqual(bits(t.value)));
    expect(Array.from(b.serialize())).toEqual(Array.from(bytes));
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("HPSM");
  });

  it("rejects a file of another architecture, or a damaged file, and stays unchanged", () => {
    const a = buildModel(ModelConfig.parse({ hidden: [8] }), [4], 3, new Rng(4));
    const b = buildModel(ModelConfig.parse({ hidden: [9] }), [4], 3, new Rng(5));
    const before = b.paramValues();
    expect(() => b.load(a.serialize())).toThrow(/"0.W" has shape \[4,8\] in the file but \[4,9\] in the model/);
    expect(b.paramValues()).toEqual(before);
    expect(() => a.load(a.serialize().subarray(0, 50))).toThrow(ModelFormatError);
    expect(() => a.load(new Uint8Array(20))).toThrow(/bad magic/);
    const withBn = buildModel(ModelConfig.parse({ hidden: [8], batchNorm: true }), [4], 3, new Rng(4));
    expect(() => withBn.load(a.serialize())).toThrow(/param "2.W" that this model does not have/);
  });

  it("copies param values out and in (for Polyak averaging)", () => {
    const net = buildModel(mlp, [4], 3, new Rng(6));
    const v = net.paramValues();
    expect(v.length).toBe(net.paramCount());
    expect(net.paramCount()).toBe(4 * 6 + 6 + 12 + 6 * 5 + 5 + 10 + 5 * 3 + 3);
    v.fill(0.5);
    net.setParamValues(v);
    expect(net.params().every((p) => p.value.every((x) => x === 0.5))).toBe(true);
  });

  it("freezes the first n weight layers with their batch norms", () => {
    const net = buildModel(mlp, [4], 3, new Rng(7));
    net.freeze(1);
    expect(net.params().filter((p) => p.frozen).map((p) => p.name)).toEqual(["0.W", "0.b", "1.gamma", "1.beta"]);
    net.freeze(0);
    expect(net.params().some((p) => p.frozen)).toBe(false);
  });
});
