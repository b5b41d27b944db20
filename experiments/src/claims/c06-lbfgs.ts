import { TrialConfig } from "@hps/contracts";
import { train } from "@hps/core";
import { check, type Claim, type Scale } from "../claim.ts";
import { mean, r4 } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

const SGD_LRS = [0.1, 0.3, 1, 3, 10];

/**
 * Claim 6: on a full-batch, deterministic problem (spiral, MLP 1×100 ReLU, no L2, no BN, every
 * iteration on all the data) L-BFGS converges in far fewer iterations than SGD. Both run through
 * train(): one epoch = one iteration (SGD with batchSize = trainSize; L-BFGS does one iteration per
 * epoch, initial step 1). SGD runs at its best rate of SGD_LRS (lowest loss after its budget); the
 * target is that loss, and we count the iterations each method needs to reach it. Caveat: one L-BFGS
 * iteration runs a strong-Wolfe line search, which may evaluate loss and gradient several times.
 */
export const lbfgs: Claim = {
  id: 6,
  slug: "lbfgs",
  title: "L-BFGS converges in far fewer iterations than SGD (full batch)",
  run(scale: Scale) {
    const seeds = scale === "quick" ? [0] : [0, 1, 2];
    const sgdIters = scale === "quick" ? 300 : 1000; // 1000 = the contract's max epochs
    const lbfgsIters = scale === "quick" ? 60 : 200;
    const trainSize = 300;
    const cfg = (seed: number, optimizer: "sgd" | "lbfgs", lr: number, epochs: number) => TrialConfig.parse({
      seed,
      dataset: { name: "spiral", trainSize, valSize: 60 },
      model: { hidden: [100], activation: "relu", init: "he" },
      training: { epochs, batchSize: trainSize, optimizer, learningRate: lr },
      earlyStopping: { lossFactor: 1e6 },
    });
    const curveOf = (r: ReturnType<typeof train>) => r.curve.map((p) => p.trainLoss ?? Infinity);
    const per = seeds.map((seed) => {
      const sgdRuns = SGD_LRS.map((lr) => ({ lr, curve: curveOf(train(cfg(seed, "sgd", lr, sgdIters))) }));
      const bestSgd = sgdRuns.reduce((a, b) => ((b.curve.at(-1) ?? Infinity) < (a.curve.at(-1) ?? Infinity) ? b : a));
      const lb = curveOf(train(cfg(seed, "lbfgs", 1, lbfgsIters)));
      const target = bestSgd.curve.at(-1)!;
      const reach = (c: number[]) => { const i = c.findIndex((v) => v <= target); return i < 0 ? Infinity : i + 1; };
      return { seed, sgdLr: bestSgd.lr, target, sgdIterations: reach(bestSgd.curve), lbfgsIterations: reach(lb), sgdCurve: bestSgd.curve, lbfgsCurve: lb };
    });
    const ratio = mean(per.map((p) => p.sgdIterations / p.lbfgsIterations));
    const checks = [
      check("L-BFGS reaches SGD's final loss in ≤ 1/10 of SGD's iterations, on every seed", per.every((p) => p.lbfgsIterations * 10 <= p.sgdIterations),
        per.map((p) => `seed ${p.seed}: target ${p.target.toFixed(4)} (SGD lr ${p.sgdLr}), SGD ${p.sgdIterations} vs L-BFGS ${p.lbfgsIterations} iterations`).join("; ")),
    ];
    const p0 = per[0];
    const svg = figure([
      (w, h) => linePanel({ title: `full-batch train loss, seed ${p0.seed}`, x: { label: "iteration (log)", log: true }, y: { label: "train loss (log)", log: true },
        series: [{ label: `SGD (lr ${p0.sgdLr})`, points: p0.sgdCurve.map((v, i) => [i + 1, v] as const) }, { label: "L-BFGS", points: p0.lbfgsCurve.map((v, i) => [i + 1, v] as const) }],
        hlines: [{ y: p0.target, label: "SGD's final loss" }] }, w, h),
    ], {
      title: "Claim 6 — L-BFGS vs SGD on a full-batch problem",
      caption: `Spiral (${trainSize} points, 3 classes), MLP 1×100 ReLU, He init, no L2; every iteration on the full batch, via train() (SGD: batchSize = trainSize; L-BFGS: one strong-Wolfe iteration per epoch, initial step 1, history 10). SGD at its best rate of ${SGD_LRS.join(", ")} after ${sgdIters} iterations; L-BFGS up to ${lbfgsIters}. Iterations to reach SGD's final loss, ${seeds.length} seed(s): ${per.map((p) => `SGD ${p.sgdIterations} vs L-BFGS ${p.lbfgsIterations}`).join("; ")}. An L-BFGS iteration may evaluate the loss several times in its line search.`,
      columns: 1, panelWidth: 620, panelHeight: 340,
    });
    return {
      headline: `iterations to SGD's final loss: SGD ${Math.round(mean(per.map((p) => p.sgdIterations)))} vs L-BFGS ${Math.round(mean(per.map((p) => p.lbfgsIterations)))} (×${ratio.toFixed(0)})`,
      checks,
      numbers: { seeds, sgdLrs: SGD_LRS, sgdIters, lbfgsIters, per: per.map((p) => ({ seed: p.seed, sgdLr: p.sgdLr, target: r4(p.target), sgdIterations: p.sgdIterations, lbfgsIterations: p.lbfgsIterations, sgdCurve: p.sgdCurve.map(r4), lbfgsCurve: p.lbfgsCurve.map(r4) })) },
      svg,
      method: "core",
      seeds,
    };
  },
};
