import { TrialConfig, type TrialConfigInput } from "@hps/contracts";
import { describe, expect, it } from "vitest";
import { DatasetCache, loadDataset } from "../data/load.ts";
import { arenaStats } from "../kernels/index.ts";
import { buildModel } from "../model/build-model.ts";
import { Rng } from "../rng.ts";
import { train } from "./train.ts";

const cfg = (input: Partial<TrialConfigInput> & { training?: TrialConfigInput["training"] }): TrialConfig =>
  TrialConfig.parse({ seed: 5, dataset: { name: "spiral", trainSize: 240, valSize: 60 }, ...input });

/** The params of a serialised model, via a model of the same architecture. */
function paramsOf(c: TrialConfig, bytes: Uint8Array, inputShape: number[], classes: number) {
  const m = buildModel(c.model, inputShape, classes, new Rng(0));
  m.load(bytes);
  return m.params().map((p) => ({ name: p.name, value: Array.from(p.value) }));
}

describe("train: features", () => {
  it("trains mnist (small split) in eval-mode val metrics, deterministically, with augmentation", () => {
    const c = TrialConfig.parse({
      seed: 1,
      dataset: { name: "mnist", trainSize: 500, valSize: 200, preprocess: "zero_center" },
      model: { hidden: [32] },
      training: { epochs: 3, batchSize: 50, optimizer: "adam", learningRate: 3e-3, augment: { cropPad: 2, flip: false, brightness: 0.1 } },
    });
    const a = train(c);
    expect(a.status).toBe("completed");
    expect(a.metrics.initialLoss!).toBeGreaterThan(1.5);
    expect(a.metrics.valAccuracy!).toBeGreaterThan(0.5);
    expect(train(c).curve).toEqual(a.curve);
    const noAug = train(TrialConfig.parse({ ...c, training: { ...c.training, augment: undefined } }));
    expect(noAug.curve).not.toEqual(a.curve);
  });

  it("whitens mnist for an mlp and rejects pca/whiten for a cnn", () => {
    const c = TrialConfig.parse({
      seed: 2,
      dataset: { name: "mnist", trainSize: 300, valSize: 100, preprocess: "pca", pcaComponents: 40 },
      model: { hidden: [20] },
      training: { epochs: 4, batchSize: 50, optimizer: "adam", learningRate: 0.01 },
    });
    const r = train(c);
    expect(r.status).toBe("completed");
    expect(r.metrics.valAccuracy!).toBeGreaterThan(0.4);
    const cnn = TrialConfig.parse({ ...c, model: { type: "cnn", conv: [{ filters: 2, size: 3 }], hidden: [] } });
    expect(() => train(cnn)).toThrow(/preprocess "pca" yields flat feature vectors; a cnn needs images/);
  });

  it("Polyak averaging: returns the averaged params, which differ from the last iterate", () => {
    const base = { model: { hidden: [20] }, training: { epochs: 3, batchSize: 30, optimizer: "sgd" as const, learningRate: 0.5 } };
    const plain = train(cfg(base));
    const avg = train(cfg({ ...base, training: { ...base.training, polyakDecay: 0.9 } }));
    expect(avg.status).toBe("completed");
    // Same training trajectory (averaging does not touch the optimiser) → same train metrics.
    expect(avg.curve.map((m) => m.trainLoss)).toEqual(plain.curve.map((m) => m.trainLoss));
    expect(avg.curve.map((m) => m.valLoss)).not.toEqual(plain.curve.map((m) => m.valLoss));
    expect(Buffer.from(avg.params).equals(Buffer.from(plain.params))).toBe(false);
  });

  it("fine-tunes from stored params: loads them, freezes leading layers, re-initialises a resized output layer", () => {
    const model = { hidden: [16, 16] };
    const source = cfg({ model, training: { epochs: 3, batchSize: 40, optimizer: "adam", learningRate: 0.01 } });
    const first = train(source);
    const src = paramsOf(source, first.params, [2], 3);

    // Same classes, freeze the first 2 of 3 weight layers: those come back bit-identical, the last one moves.
    const tuneCfg = cfg({ model: { ...model, initFrom: { trialId: "00000000-0000-4000-8000-000000000000", freezeLayers: 2 } },
      training: { epochs: 1, batchSize: 40, optimizer: "adam", learningRate: 0.01 } });
    const tuned = train(tuneCfg, { initialParams: first.params });
    const after = paramsOf(tuneCfg, tuned.params, [2], 3);
    expect(after.slice(0, 4)).toEqual(src.slice(0, 4)); // 0.W 0.b 2.W 2.b
    expect(after[4].value).not.toEqual(src[4].value);
    // Started from the trained model, not from scratch: the initial loss is far below ln 3.
    expect(tuned.metrics.initialLoss!).toBeLessThan(first.metrics.initialLoss! * 0.9);

    // 5 classes instead of 3: hidden layers loaded, output layer fresh (5 columns).
    const five = cfg({ dataset: { name: "spiral", trainSize: 250, valSize: 50, classes: 5 }, model: tuneCfg.model, training: tuneCfg.training });
    const r5 = train(five, { initialParams: first.params });
    const p5 = paramsOf(five, r5.params, [2], 5);
    expect(p5.slice(0, 4)).toEqual(src.slice(0, 4));
    expect(p5[4].value.length).toBe(16 * 5);

    // A different hidden width cannot be loaded.
    const wrong = cfg({ model: { hidden: [16, 8] } });
    expect(() => train(wrong, { initialParams: first.params })).toThrow(/"2.W" has shape \[16,16\] in the file but \[16,8\]/);
  });

  it("fine-tunes with initFrom.reinitLayers: the last n weight layers (with their batch norm) start fresh, the rest are loaded", () => {
    const model = { hidden: [16, 16], batchNorm: true };
    const source = cfg({ model, training: { epochs: 3, batchSize: 40, optimizer: "adam", learningRate: 0.01 } });
    const first = train(source);
    const src = paramsOf(source, first.params, [2], 3);
    const training = { epochs: 1, batchSize: 40, optimizer: "adam" as const, learningRate: 0.01 };
    // setupTrial's model stream: Rng(seed), fork 1 (data), fork 2 (model).
    const root = new Rng(source.seed);
    root.fork(1);
    const fresh = paramsOf(source, buildModel(source.model, [2], 3, root.fork(2)).serialize(), [2], 3);
    // Same class count. Freeze everything but the last 2 weight layers: frozen ones are the stored values,
    // and the re-initialised head is exactly buildModel's fresh init (params frozen so the run cannot move them).
    const names = src.map((p) => p.name);
    const frozenHead = cfg({ model: { ...model, initFrom: { trialId: "00000000-0000-4000-8000-000000000000", freezeLayers: 2, reinitLayers: 1 } }, training: { ...training, learningRate: 1e-12 } });
    const tuned = paramsOf(frozenHead, train(frozenHead, { initialParams: first.params }).params, [2], 3);
    const outAt = names.indexOf("6.W");
    expect(outAt).toBeGreaterThan(0);
    expect(tuned.slice(0, outAt).map((p) => p.name)).toEqual(names.slice(0, outAt));
    expect(tuned.slice(0, outAt)).toEqual(src.slice(0, outAt));
    for (const name of ["6.W", "6.b"]) {
      const i = names.indexOf(name);
      expect(tuned[i].value).not.toEqual(src[i].value);
      for (let j = 0; j < tuned[i].value.length; j++) expect(tuned[i].value[j]).toBeCloseTo(fresh[i].value[j], 6);
    }
    // Without reinitLayers the same config keeps the stored head.
    const keptHead = cfg({ model: { ...model, initFrom: { trialId: "00000000-0000-4000-8000-000000000000", freezeLayers: 2 } }, training: { ...training, learningRate: 1e-12 } });
    const kept = paramsOf(keptHead, train(keptHead, { initialParams: first.params }).params, [2], 3);
    for (let j = 0; j < kept[outAt].value.length; j++) expect(kept[outAt].value[j]).toBeCloseTo(src[outAt].value[j], 6);
    // reinitLayers 2: the second hidden affine and its batch norm (γ, β, running stats) are fresh too.
    const two = cfg({ model: { ...model, initFrom: { trialId: "00000000-0000-4000-8000-000000000000", reinitLayers: 2 } }, training: { ...training, learningRate: 1e-12 } });
    const r2 = train(two, { initialParams: first.params });
    const t2 = paramsOf(two, r2.params, [2], 3);
    const w1 = names.indexOf("3.W");
    expect(t2.slice(0, w1)).toEqual(src.slice(0, w1));
    for (let j = 0; j < t2[w1].value.length; j++) expect(t2[w1].value[j]).toBeCloseTo(fresh[w1].value[j], 6);
    // All weight layers re-initialised: refused (the API answers 422 with this path).
    const all = cfg({ model: { ...model, initFrom: { trialId: "00000000-0000-4000-8000-000000000000", reinitLayers: 3 } }, training });
    expect(() => train(all, { initialParams: first.params })).toThrow(/reinitLayers/);
  });

  it("trains full-batch with L-BFGS, one iteration per epoch", () => {
    const r = train(cfg({ model: { hidden: [30] }, training: { epochs: 15, optimizer: "lbfgs", learningRate: 1, l2: 1e-4 } }));
    expect(r.status).toBe("completed");
    expect(r.curve).toHaveLength(15);
    expect(r.curve[14].trainLoss!).toBeLessThan(r.metrics.initialLoss! / 2);
    let polls = 0;
    const cancelled = train(cfg({ training: { epochs: 15, optimizer: "lbfgs" } }), { shouldStop: () => ++polls > 3 });
    expect(cancelled.stopReason).toBe("cancelled");
    expect(cancelled.metrics.epochs).toBe(3);
  });

  it("trains with the svm loss, whose initial loss is ≈ classes − 1 with a tiny init", () => {
    // Scores ≈ 0: every one of the classes − 1 margins is ≈ Δ = 1 (CS231n's sanity check for the SVM).
    const tiny = { init: "small" as const, initStd: 1e-4 };
    const svm = { epochs: 4, optimizer: "momentum" as const, learningRate: 0.05, loss: "svm" as const };
    expect(train(cfg({ model: tiny, training: svm })).metrics.initialLoss!).toBeCloseTo(2, 3);
    const five = cfg({ dataset: { name: "spiral", trainSize: 250, valSize: 50, classes: 5 }, model: tiny, training: svm });
    expect(train(five).metrics.initialLoss!).toBeCloseTo(4, 3);
    // The softmax loss at the same init is ln 3 instead: the loss name takes effect.
    expect(train(cfg({ model: tiny, training: { ...svm, loss: "softmax" } })).metrics.initialLoss!).toBeCloseTo(Math.log(3), 3);
    const r = train(cfg({ training: svm }));
    expect(r.status).toBe("completed");
    expect(r.metrics.valAccuracy!).toBeGreaterThan(0.4);
  });

  it("applies the learning-rate schedule from the second epoch: epoch 1 at the base lr, then lr·γ", () => {
    // SGD with step decay γ = 1e-30: from epoch 2 each update lr·γ·g is far below half an ulp of the
    // float32 weights, so they stop moving — the 3-epoch model is bit-identical to the 1-epoch one.
    const sgd = { optimizer: "sgd" as const, learningRate: 0.05 };
    const decayed = train(cfg({ training: { ...sgd, epochs: 3, lrSchedule: { type: "step", stepEpochs: 1, gamma: 1e-30 } } }));
    const oneEpoch = train(cfg({ training: { ...sgd, epochs: 1 } }));
    const constant = train(cfg({ training: { ...sgd, epochs: 3 } }));
    expect(decayed.curve[0]).toEqual(oneEpoch.curve[0]);
    expect(Buffer.from(decayed.params).equals(Buffer.from(oneEpoch.params))).toBe(true);
    expect(decayed.curve.map((m) => m.valLoss)).toEqual([0, 1, 2].map(() => oneEpoch.curve[0].valLoss));
    // Without the schedule the same run keeps moving after epoch 1.
    expect(constant.curve[0]).toEqual(oneEpoch.curve[0]);
    expect(constant.curve[1].valLoss).not.toBe(oneEpoch.curve[0].valLoss);
    expect(Buffer.from(constant.params).equals(Buffer.from(oneEpoch.params))).toBe(false);
  });

  it("takes its data from hooks.dataset (a DatasetCache or a preloaded Dataset) with the same result", () => {
    const c = cfg({ training: { epochs: 2 } });
    const plain = train(c);
    const cache = new DatasetCache(1);
    expect(train(c, { dataset: cache }).curve).toEqual(plain.curve);
    expect(train(c, { dataset: cache.get(c.dataset, c.seed) }).curve).toEqual(plain.curve);
    expect(train(c, { dataset: loadDataset(c.dataset, c.seed) }).curve).toEqual(plain.curve);
  });

  it("releases its arena buffers when done (long-lived worker threads do not grow)", () => {
    const before = arenaStats().bytesInUse;
    train(cfg({ training: { epochs: 1 } }));
    expect(arenaStats().bytesInUse).toBe(before);
  });
});
