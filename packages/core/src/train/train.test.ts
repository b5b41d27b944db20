import { TrialConfig, type TrialConfigInput } from "@hps/contracts";
import { describe, expect, it } from "vitest";
import { train } from "./train.ts";

function spiralConfig(over: Partial<TrialConfigInput["training"]> = {}, model: TrialConfigInput["model"] = {}): TrialConfig {
  return TrialConfig.parse({
    seed: 3,
    dataset: { name: "spiral", trainSize: 300, valSize: 90 },
    model: { hidden: [50], ...model },
    training: { epochs: 5, batchSize: 32, optimizer: "momentum", learningRate: 0.1, l2: 1e-3, ...over },
  });
}

describe("train", () => {
  it("is deterministic: same config → bit-identical curve, metrics and params", () => {
    const cfg = spiralConfig({ optimizer: "adam", learningRate: 0.01, polyakDecay: 0.9 }, { dropout: 0.2 });
    const a = train(cfg);
    const b = train(cfg);
    expect(a.status).toBe("completed");
    expect(b.curve).toEqual(a.curve);
    expect(b.metrics).toEqual(a.metrics);
    expect(Buffer.from(b.params).equals(Buffer.from(a.params))).toBe(true);
    expect(a.curve).toHaveLength(5);
    const other = train(TrialConfig.parse({ ...cfg, seed: 4 }));
    expect(other.metrics.initialLoss).not.toBe(a.metrics.initialLoss);
  });

  it("reports every epoch through onEpoch with JSON-safe metrics", () => {
    const seen: unknown[] = [];
    const r = train(spiralConfig(), { onEpoch: (m) => seen.push(m) });
    expect(seen).toEqual(r.curve);
    expect(r.curve.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const m of r.curve) for (const v of Object.values(m)) expect(Number.isFinite(v)).toBe(true);
    expect(JSON.parse(JSON.stringify(r.metrics))).toEqual(r.metrics);
    expect(r.metrics.epochs).toBe(5);
  });

  it("sanity check: initial softmax loss ≈ ln(classes) with small weights and no regularisation", () => {
    const cfg = TrialConfig.parse({
      seed: 1,
      dataset: { name: "spiral", trainSize: 300, valSize: 30, classes: 5 },
      model: { hidden: [50], init: "small", initStd: 0.001 },
      training: { epochs: 1, batchSize: 300, l2: 0 },
    });
    expect(train(cfg).metrics.initialLoss).toBeCloseTo(Math.log(5), 3);
  });

  it("sanity check: a small net overfits 20 training examples to 100% train accuracy", () => {
    const cfg = TrialConfig.parse({
      seed: 2,
      dataset: { name: "spiral", trainSize: 20, valSize: 30 },
      model: { hidden: [100] },
      training: { epochs: 200, batchSize: 20, optimizer: "adam", learningRate: 0.01, l2: 0 },
    });
    const r = train(cfg);
    expect(r.status).toBe("completed");
    expect(r.metrics.trainAccuracy).toBe(1);
    expect(r.metrics.finalLoss!).toBeLessThan(0.05);
  });

  it("stops a learning rate of 10 as loss_exploded (or non_finite)", () => {
    const r = train(spiralConfig({ learningRate: 10, optimizer: "sgd", epochs: 20 }));
    expect(r.status).toBe("stopped");
    expect(["loss_exploded", "non_finite"]).toContain(r.stopReason);
    expect(r.metrics.initialLoss).not.toBeNull();
    expect(JSON.parse(JSON.stringify(r.metrics))).toEqual(r.metrics);
  });

  it("stops as cancelled when shouldStop turns true", () => {
    let polls = 0;
    const r = train(spiralConfig({ epochs: 50 }), { shouldStop: () => ++polls > 25 });
    expect(r.status).toBe("stopped");
    expect(r.stopReason).toBe("cancelled");
    expect(r.metrics.epochs).toBe(2); // 300/32 → 10 batches per epoch: cancelled in epoch 3
  });

  it("learns the spiral with every optimiser", () => {
    const lrs = { sgd: 0.5, momentum: 0.1, nesterov: 0.1, adagrad: 0.1, rmsprop: 0.01, adam: 0.01, lbfgs: 1 } as const;
    for (const [optimizer, learningRate] of Object.entries(lrs)) {
      const r = train(spiralConfig({ optimizer: optimizer as keyof typeof lrs, learningRate, epochs: 30, l2: 1e-4 }, { hidden: [100] }));
      expect(r.status, optimizer).toBe("completed");
      expect(r.metrics.valAccuracy!, optimizer).toBeGreaterThan(0.8);
    }
  });
});
