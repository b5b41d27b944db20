import { TrialConfig, type TrialConfigInput } from "@hps/contracts";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../data/load.ts";
import { createLoss } from "../losses/registry.ts";
import { buildModel } from "../model/build-model.ts";
import { applyL2 } from "../optimizers/l2.ts";
import { createSchedule } from "../schedules/schedules.ts";
import { Rng } from "../rng.ts";
import { evaluate } from "./evaluate.ts";
import { type TrainHooks, type TrainResult, train } from "./train.ts";

/**
 * Every field of TrialConfig must take effect: for each one, two tiny trainings that differ only in
 * that field must differ (or the field's documented effect is asserted exactly). A field that is
 * silently dropped on its way into `train` fails here.
 */

type Over = Record<string, unknown>;

function merge(a: Over, b: Over): Over {
  const out: Over = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === "object" && !Array.isArray(v) && prev && typeof prev === "object" && !Array.isArray(prev)
      ? merge(prev as Over, v as Over)
      : v;
  }
  return out;
}

const SPIRAL: Over = {
  seed: 3,
  dataset: { name: "spiral", trainSize: 150, valSize: 60 },
  model: { hidden: [12] },
  training: { epochs: 3, batchSize: 30, optimizer: "sgd", learningRate: 0.3 },
};
const MNIST: Over = {
  seed: 4,
  dataset: { name: "mnist", trainSize: 60, valSize: 20, preprocess: "zero_center" },
  model: { hidden: [8] },
  training: { epochs: 2, batchSize: 20, optimizer: "adam", learningRate: 3e-3 },
};

const spiral = (over: Over = {}): TrialConfig => TrialConfig.parse(merge(SPIRAL, over) as TrialConfigInput);
const mnist = (over: Over = {}): TrialConfig => TrialConfig.parse(merge(MNIST, over) as TrialConfigInput);

/** What a training observably produced: the curve, the final params and the metrics. */
const outcome = (r: TrainResult) => ({ curve: r.curve, metrics: r.metrics, params: Buffer.from(r.params).toString("base64") });

function expectDiffer(a: TrialConfig, b: TrialConfig, hooks: TrainHooks = {}): [TrainResult, TrainResult] {
  const ra = train(a, hooks);
  const rb = train(b, hooks);
  expect(ra.status).toBe("completed");
  expect(rb.status).toBe("completed");
  expect(outcome(ra)).not.toEqual(outcome(rb));
  return [ra, rb];
}

/** All the given configs train to pairwise different outcomes. */
function expectAllDistinct(configs: TrialConfig[]): void {
  const seen = configs.map((c) => JSON.stringify(outcome(train(c))));
  expect(new Set(seen).size).toBe(configs.length);
}

/** Mini-batches trained per run: train polls shouldStop once before every mini-batch. */
function batchesTrained(c: TrialConfig): number {
  let polls = 0;
  train(c, { shouldStop: () => (polls++, false) });
  return polls;
}

describe("TrialConfig: every field takes effect in train()", () => {
  it("seed", () => {
    expectDiffer(spiral(), spiral({ seed: 4 }));
    expect(outcome(train(spiral()))).toEqual(outcome(train(spiral())));
  });

  describe("dataset", () => {
    it("name (and classes: spiral arms; mnist has 10): initial loss ≈ ln(classes) with a tiny init", () => {
      const tiny = { model: { init: "small", initStd: 1e-4 } };
      expect(train(spiral(tiny)).metrics.initialLoss!).toBeCloseTo(Math.log(3), 3);
      expect(train(spiral({ ...tiny, dataset: { classes: 5 } })).metrics.initialLoss!).toBeCloseTo(Math.log(5), 3);
      expect(train(mnist({ ...tiny, training: { epochs: 1 } })).metrics.initialLoss!).toBeCloseTo(Math.log(10), 3);
    });

    it("trainSize and batchSize: ⌈trainSize / batchSize⌉ mini-batches per epoch", () => {
      expect(batchesTrained(spiral())).toBe(3 * 5);
      expect(batchesTrained(spiral({ dataset: { trainSize: 90 } }))).toBe(3 * 3);
      expect(batchesTrained(spiral({ training: { batchSize: 40 } }))).toBe(3 * 4);
      expectDiffer(spiral(), spiral({ dataset: { trainSize: 120 } }));
      expectDiffer(spiral(), spiral({ training: { batchSize: 50 } }));
    });

    it("valSize: val metrics are over valSize samples", () => {
      const [, b] = expectDiffer(spiral(), spiral({ dataset: { valSize: 7 } }));
      const correct = b.metrics.valAccuracy! * 7;
      expect(Math.abs(correct - Math.round(correct))).toBeLessThan(1e-9);
    });

    it("preprocess: each method trains differently", () => {
      expectAllDistinct((["none", "zero_center", "normalize", "pca", "whiten"] as const).map((p) => spiral({ dataset: { preprocess: p } })));
    });

    it("pcaComponents: k components kept (default all)", () => {
      const pca = { dataset: { preprocess: "pca" } };
      const [all, one] = expectDiffer(spiral(pca), spiral({ dataset: { preprocess: "pca", pcaComponents: 1 } }));
      // The first layer sees k inputs: 2·12 vs 1·12 weights.
      expect(all.params.length - one.params.length).toBe(12 * 4);
      expect(outcome(train(spiral({ dataset: { preprocess: "pca", pcaComponents: 2 } })))).toEqual(outcome(all));
    });
  });

  describe("model", () => {
    it("type: mlp vs cnn", () => {
      expectDiffer(mnist(), mnist({ model: { type: "cnn", conv: [{ filters: 2, size: 4, stride: 2 }] } }));
    });

    it("hidden", () => {
      expectDiffer(spiral(), spiral({ model: { hidden: [12, 12] } }));
      expectDiffer(spiral(), spiral({ model: { hidden: [13] } }));
    });

    it("conv[].filters, size, stride, pad, pool", () => {
      const block = { filters: 2, size: 4, stride: 1, pad: 0 };
      const cnn = (b: Over) => mnist({ model: { type: "cnn", conv: [{ ...block, ...b }] } });
      const base = train(cnn({}));
      // 28×28, 4×4 stride 1 → 25×25×2 features into the 8-unit hidden layer; each field changes that count.
      for (const b of [{ filters: 3 }, { size: 5 }, { stride: 3 }, { pad: 1 }, { pool: { size: 3, stride: 2 } }]) {
        const r = train(cnn(b));
        expect(r.status).toBe("completed");
        expect(outcome(r), JSON.stringify(b)).not.toEqual(outcome(base));
        expect(r.params.length, JSON.stringify(b)).not.toBe(base.params.length);
      }
      // pool size and pool stride each on their own (25 → 12, 13, 23).
      expectDiffer(cnn({ pool: { size: 3, stride: 2 } }), cnn({ pool: { size: 1, stride: 2 } }));
      expectDiffer(cnn({ pool: { size: 3, stride: 2 } }), cnn({ pool: { size: 3, stride: 1 } }));
    });

    it("activation: each one trains differently", () => {
      expectAllDistinct((["sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout"] as const).map((a) => spiral({ model: { activation: a } })));
    });

    it("leakySlope, eluAlpha, maxoutPieces", () => {
      expectDiffer(spiral({ model: { activation: "leaky_relu" } }), spiral({ model: { activation: "leaky_relu", leakySlope: 0.3 } }));
      expectDiffer(spiral({ model: { activation: "elu" } }), spiral({ model: { activation: "elu", eluAlpha: 2 } }));
      const [two, three] = expectDiffer(spiral({ model: { activation: "maxout" } }), spiral({ model: { activation: "maxout", maxoutPieces: 3 } }));
      // k pieces per hidden unit: the hidden affine has k·12 outputs (2 inputs + bias each = 3 floats per output).
      expect(three.params.length - two.params.length).toBe(4 * 12 * 3);
    });

    it("init and initStd", () => {
      expectAllDistinct((["small", "xavier", "he"] as const).map((i) => spiral({ model: { init: i } })));
      expectDiffer(spiral({ model: { init: "small" } }), spiral({ model: { init: "small", initStd: 0.1 } }));
    });

    it("batchNorm and dropout", () => {
      expectDiffer(spiral(), spiral({ model: { batchNorm: true } }));
      expectDiffer(spiral(), spiral({ model: { dropout: 0.5 } }));
      expectDiffer(spiral({ model: { dropout: 0.2 } }), spiral({ model: { dropout: 0.5 } }));
    });

    it("validation runs in eval mode: no dropout, batch-norm running statistics", () => {
      const c = spiral({ model: { batchNorm: true, dropout: 0.5 } });
      const r = train(c);
      const data = loadDataset(c.dataset, c.seed);
      const model = buildModel(c.model, data.inputShape, data.classes, new Rng(99));
      model.load(r.params);
      const val = evaluate(model, createLoss(c.training.loss), data.valX, data.valY, 2, data.classes);
      expect(r.metrics.valLoss).toBe(val.loss);
      expect(r.metrics.valAccuracy).toBe(val.accuracy);
      // and deterministic: the returned model gives the same val loss twice (no dropout masks in eval).
      expect(evaluate(model, createLoss(c.training.loss), data.valX, data.valY, 2, data.classes).loss).toBe(val.loss);
    });

    it("initFrom.freezeLayers: the first n weight layers keep the loaded values", () => {
      const src = train(spiral({ model: { hidden: [12, 12] } }));
      const init = (n: number) => spiral({ model: { hidden: [12, 12], initFrom: { trialId: "00000000-0000-4000-8000-000000000000", freezeLayers: n } } });
      const [f0, f1] = expectDiffer(init(0), init(1), { initialParams: src.params });
      const params = (bytes: Uint8Array) => {
        const m = buildModel(init(0).model, [2], 3, new Rng(0));
        m.load(bytes);
        return m.params().map((p) => Array.from(p.value));
      };
      const [s, a, b] = [params(src.params), params(f0.params), params(f1.params)];
      expect(b.slice(0, 2)).toEqual(s.slice(0, 2)); // 0.W, 0.b frozen
      expect(b[2]).not.toEqual(s[2]);
      expect(a[0]).not.toEqual(s[0]);
    });

    it("initFrom without the stored params is an error, not a silent fresh start", () => {
      const c = spiral({ model: { initFrom: { trialId: "00000000-0000-4000-8000-000000000000" } } });
      expect(() => train(c)).toThrow(/initFrom/);
    });
  });

  describe("training", () => {
    it("epochs: one curve point per epoch", () => {
      expect(train(spiral()).curve).toHaveLength(3);
      expect(train(spiral({ training: { epochs: 5 } })).curve).toHaveLength(5);
    });

    it("optimizer: each one trains differently", () => {
      expectAllDistinct((["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "lbfgs"] as const)
        .map((o) => spiral({ training: { optimizer: o, learningRate: 0.05 } })));
    });

    it("learningRate (first-order and lbfgs)", () => {
      expectDiffer(spiral(), spiral({ training: { learningRate: 0.1 } }));
      expectDiffer(spiral({ training: { optimizer: "lbfgs", learningRate: 1 } }), spiral({ training: { optimizer: "lbfgs", learningRate: 0.3 } }));
    });

    it("l2: changes training; only weights decay (not biases or batch-norm γ/β)", () => {
      expectDiffer(spiral(), spiral({ training: { l2: 0.01 } }));
      expectDiffer(spiral({ training: { optimizer: "lbfgs" } }), spiral({ training: { optimizer: "lbfgs", l2: 0.01 } }));
      const c = spiral({ model: { batchNorm: true, hidden: [5, 5] } });
      const model = buildModel(c.model, [2], 3, new Rng(1));
      const params = model.params();
      for (const p of params) {
        p.value.fill(0.5);
        p.grad.fill(0);
      }
      const penalty = applyL2(params, 0.1);
      let weights = 0;
      for (const p of params) {
        const isWeight = p.name.endsWith(".W");
        expect(p.decay, p.name).toBe(isWeight);
        expect(Array.from(p.grad).every((g) => g === (isWeight ? Math.fround(0.1 * 0.5) : 0)), p.name).toBe(true);
        if (isWeight) weights += p.value.length;
      }
      expect(penalty).toBeCloseTo(0.5 * 0.1 * weights * 0.25, 10);
      expect(params.some((p) => !p.name.endsWith(".W"))).toBe(true);
    });

    it("loss: softmax vs svm", () => {
      expectDiffer(spiral(), spiral({ training: { loss: "svm" } }));
    });

    it("momentum (momentum, nesterov), rmsDecay, beta1, beta2, eps (adagrad, rmsprop, adam), lbfgsHistory", () => {
      const t = (o: Over) => spiral({ training: { learningRate: 0.05, ...o } });
      expectDiffer(t({ optimizer: "momentum" }), t({ optimizer: "momentum", momentum: 0.5 }));
      expectDiffer(t({ optimizer: "nesterov" }), t({ optimizer: "nesterov", momentum: 0.5 }));
      expectDiffer(t({ optimizer: "rmsprop" }), t({ optimizer: "rmsprop", rmsDecay: 0.5 }));
      expectDiffer(t({ optimizer: "adam" }), t({ optimizer: "adam", beta1: 0.5 }));
      expectDiffer(t({ optimizer: "adam" }), t({ optimizer: "adam", beta2: 0.9 }));
      for (const o of ["adagrad", "rmsprop", "adam"]) expectDiffer(t({ optimizer: o }), t({ optimizer: o, eps: 0.1 }));
      expectDiffer(t({ optimizer: "lbfgs", learningRate: 1, epochs: 6 }), t({ optimizer: "lbfgs", learningRate: 1, epochs: 6, lbfgsHistory: 1 }));
    });

    it("lrSchedule: lr_e = lr·factor(e) with e 0-based (epoch 1 trains at the base lr)", () => {
      const sch = (s: Over) => spiral({ training: { epochs: 3, lrSchedule: s } });
      const none = train(sch({ type: "none" }));
      const schedules: Over[] = [
        { type: "step" }, { type: "step", stepEpochs: 1, gamma: 0.2 },
        { type: "exponential" }, { type: "exponential", gamma: 0.6 },
        { type: "inverse" }, { type: "inverse", k: 2 },
        { type: "cosine" }, { type: "cosine", minLr: 0.2 },
      ];
      const seen = new Set<string>();
      for (const s of schedules) {
        const r = train(sch(s));
        expect(r.curve[0], JSON.stringify(s)).toEqual(none.curve[0]); // e = 0: factor 1
        expect(r.curve[1].trainLoss, JSON.stringify(s)).not.toBe(none.curve[1].trainLoss);
        seen.add(JSON.stringify(outcome(r)));
      }
      expect(seen.size).toBe(schedules.length);
      // lbfgs too: the schedule scales its initial step length per epoch.
      const lb = (s: Over) => spiral({ training: { optimizer: "lbfgs", learningRate: 1, epochs: 3, lrSchedule: s } });
      const lbNone = train(lb({ type: "none" }));
      const lbStep = train(lb({ type: "step", gamma: 0.1 }));
      expect(lbStep.curve[0]).toEqual(lbNone.curve[0]);
      expect(lbStep.curve[1].trainLoss).not.toBe(lbNone.curve[1].trainLoss);
      // stepEpochs = 2: epochs 0 and 1 at the base lr, the decay starts with the third.
      const step2 = train(sch({ type: "step", stepEpochs: 2 }));
      expect(step2.curve.slice(0, 2)).toEqual(none.curve.slice(0, 2));
      expect(step2.curve[2]).not.toEqual(none.curve[2]);
      // The documented formulas, with the trial's epochs for cosine.
      const lr = (s: Over, e: number, epochs = 4) => createSchedule(TrialConfig.parse(merge(SPIRAL, { training: { lrSchedule: s } }) as TrialConfigInput).training.lrSchedule, 0.3, epochs).lr(e);
      expect(lr({ type: "step" }, 3)).toBeCloseTo(0.3 * 0.5 ** 3, 12);
      expect(lr({ type: "step", stepEpochs: 2, gamma: 0.1 }, 3)).toBeCloseTo(0.3 * 0.1, 12);
      expect(lr({ type: "exponential" }, 2)).toBeCloseTo(0.3 * 0.81, 12);
      expect(lr({ type: "inverse" }, 2)).toBeCloseTo(0.3 / 2, 12);
      expect(lr({ type: "cosine", minLr: 0.1 }, 2)).toBeCloseTo(0.1 + 0.2 * (1 + Math.cos(Math.PI / 2)) / 2, 12);
    });

    it("augment.cropPad, flip, brightness (each on its own); all off = no augmentation; ignored for spiral", () => {
      const plain = train(mnist());
      for (const a of [{ cropPad: 2 }, { flip: true }, { brightness: 0.2 }]) {
        const r = train(mnist({ training: { augment: a } }));
        expect(outcome(r), JSON.stringify(a)).not.toEqual(outcome(plain));
      }
      expect(outcome(train(mnist({ training: { augment: {} } })))).toEqual(outcome(plain));
      expect(outcome(train(spiral({ training: { augment: { cropPad: 2, flip: true, brightness: 0.5 } } })))).toEqual(outcome(train(spiral())));
    });

    it("polyakDecay: val metrics and returned params use the average; training itself is unchanged", () => {
      const plain = train(spiral());
      const avg = train(spiral({ training: { polyakDecay: 0.9 } }));
      expect(avg.curve.map((m) => m.trainLoss)).toEqual(plain.curve.map((m) => m.trainLoss));
      expect(avg.curve.map((m) => m.valLoss)).not.toEqual(plain.curve.map((m) => m.valLoss));
      expect(avg.params).not.toEqual(plain.params);
      // The last epoch's val metrics are those of the returned (averaged) params.
      const c = spiral({ training: { polyakDecay: 0.9 } });
      const data = loadDataset(c.dataset, c.seed);
      const model = buildModel(c.model, data.inputShape, data.classes, new Rng(99));
      model.load(avg.params);
      const val = evaluate(model, createLoss(c.training.loss), data.valX, data.valY, 2, data.classes);
      expect(avg.metrics.valLoss).toBe(val.loss);
      expect(avg.metrics.valAccuracy).toBe(val.accuracy);
      // As the decay goes to 0 the average is the last iterate: decay 1e-12 changes each averaged
      // weight by ~1e-12 relative, far below float32's half ulp, so the whole result is bit-identical
      // to no averaging — an average that lags or leads the iterates by one update would not be.
      expect(outcome(train(spiral({ training: { polyakDecay: 1e-12 } })))).toEqual(outcome(plain));
    });
  });

  it("earlyStopping.lossFactor: loss_exploded at the first batch whose loss exceeds lossFactor × the initial loss", () => {
    const hot = (f: number) => spiral({ training: { learningRate: 30, epochs: 3 }, earlyStopping: { lossFactor: f } });
    let stoppedAt = 0;
    const tight = train(hot(1.5), { shouldStop: () => (stoppedAt++, false) });
    const loose = train(hot(1e6));
    expect(tight.stopReason).toBe("loss_exploded");
    expect(loose.stopReason).not.toBe("loss_exploded");
    const bound = 1.5 * tight.metrics.initialLoss!;
    // Batch losses of the same run (the stop rule does not change training), read one at a time: a
    // run cancelled before batch k + 1 reports batch k's loss as its final loss.
    const lossOfBatch = (k: number) => {
      let polls = 0;
      const r = train(hot(1e6), { shouldStop: () => ++polls > k });
      expect(r.stopReason).toBe("cancelled");
      return r.metrics.finalLoss!;
    };
    // shouldStop is polled before every batch: the stopping batch is the last one polled.
    expect(stoppedAt).toBeGreaterThan(1);
    expect(lossOfBatch(stoppedAt)).toBe(tight.metrics.finalLoss);
    expect(tight.metrics.finalLoss!).toBeGreaterThan(bound);
    for (let k = 1; k < stoppedAt; k++) expect(lossOfBatch(k), `batch ${k}`).toBeLessThanOrEqual(bound);
  });
});
