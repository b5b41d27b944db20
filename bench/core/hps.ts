/** The hps runner: trains a workload with the core's public API (buildModel, SoftmaxCrossEntropy, Adam, Sgd). */
import { Adam, Rng, Sgd, SoftmaxCrossEntropy, alloc, arenaStats, buildModel, type Optimizer } from "@hps/core";
import { measure, type Clock, type Rate, type Workload } from "./workloads.ts";

type ModelConfig = Parameters<typeof buildModel>[0];

export function hpsModelConfig(w: Workload): ModelConfig {
  return {
    type: w.convFilters.length ? "cnn" : "mlp",
    hidden: [...w.hidden],
    conv: w.convFilters.map((filters) => ({ filters, size: 3, stride: 1, pad: 1, pool: { size: 2, stride: 2 } })),
    activation: "relu", leakySlope: 0.01, eluAlpha: 1, maxoutPieces: 2, init: "he", initStd: 0.01,
    batchNorm: false, dropout: 0,
  };
}

export interface HpsResult extends Rate {
  /** alloc() calls during the timed steps (0 = no allocation per step in steady state). */
  allocsWhileTimed: number;
}

export function runHps(w: Workload, budgetSec: number, clock: Clock = "wall"): HpsResult {
  const rng = new Rng(1);
  const model = buildModel(hpsModelConfig(w), w.inShape, w.classes, rng);
  const loss = new SoftmaxCrossEntropy();
  const opt: Optimizer = w.optimizer === "adam" ? new Adam(0.9, 0.999, 1e-8) : new Sgd();
  const dim = w.inShape.reduce((a, b) => a * b, 1);
  const xs: Float32Array[] = [];
  const ys: Int32Array[] = [];
  for (let k = 0; k < 8; k++) {
    const x = alloc(w.batch * dim);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const y = new Int32Array(w.batch);
    for (let i = 0; i < y.length; i++) y[i] = rng.int(w.classes);
    xs.push(x);
    ys.push(y);
  }
  const params = model.params();
  let allocsAtStart = 0;
  const rate = measure(w, (i) => {
    const x = xs[i % 8]!, y = ys[i % 8]!;
    const scores = model.forward(x, w.batch, true);
    loss.forward(scores, y, w.batch, w.classes);
    model.backward(loss.backward(), false); // no input gradient, as the training loop does
    opt.step(params, w.lr);
  }, budgetSec, clock, () => { allocsAtStart = arenaStats().allocations; });
  return { ...rate, allocsWhileTimed: arenaStats().allocations - allocsAtStart };
}
