import { TrialConfig } from "@hps/contracts";
import { train } from "@hps/core";
import { check, type Claim, type Scale } from "../claim.ts";
import { mean, r4, std } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

/**
 * Claim 13: Polyak averaging (evaluating an exponential moving average of the parameters, decay 0.99)
 * smooths the final parameters: less validation-loss noise over the last epochs. Noise = std of the
 * epoch-to-epoch change of val loss over the last third of the run, with a deliberately noisy setup
 * (plain SGD at a high rate, batch 16), mean over seeds; the same seed gives both runs the same data,
 * init and batch order, so only the averaging differs.
 */
export const polyak: Claim = {
  id: 13,
  slug: "polyak",
  title: "Polyak averaging smooths the final parameters (less val-loss noise)",
  run(scale: Scale) {
    const seeds = scale === "quick" ? [0] : [0, 1, 2];
    const epochs = scale === "quick" ? 15 : 30;
    const runs = [0, 0.99].map((polyakDecay) => ({
      polyakDecay,
      per: seeds.map((seed) => {
        const r = train(TrialConfig.parse({
          seed,
          dataset: { name: "mnist", trainSize: 1000, valSize: 500, preprocess: "zero_center" },
          model: { hidden: [100], activation: "relu", init: "he" },
          training: { epochs, batchSize: 16, optimizer: "sgd", learningRate: 0.1, polyakDecay },
        }));
        const val = r.curve.map((p) => p.valLoss ?? Infinity);
        const tail = val.slice(-Math.max(3, Math.floor(epochs / 3)));
        const diffs = tail.slice(1).map((v, i) => v - tail[i]);
        return { seed, val, noise: std(diffs), finalValLoss: val.at(-1)! };
      }),
    }));
    const [plain, avg] = runs;
    const noisePlain = mean(plain.per.map((p) => p.noise));
    const noiseAvg = mean(avg.per.map((p) => p.noise));
    const checks = [
      check("Polyak-averaged params have less val-loss noise over the last epochs", noiseAvg < noisePlain, `std of epoch-to-epoch val-loss change: averaged ${noiseAvg.toFixed(4)} vs plain ${noisePlain.toFixed(4)} (per seed ${plain.per.map((p, i) => `${p.noise.toFixed(4)}→${avg.per[i].noise.toFixed(4)}`).join(", ")})`),
    ];
    const svg = figure([
      (w, h) => linePanel({ title: `val loss per epoch, seed ${seeds[0]}`, x: { label: "epoch" }, y: { label: "val loss" },
        series: [{ label: "plain params", points: plain.per[0].val.map((v, e) => [e + 1, v] as const) }, { label: "Polyak average (0.99)", points: avg.per[0].val.map((v, e) => [e + 1, v] as const) }] }, w, h),
    ], {
      title: "Claim 13 — Polyak averaging",
      caption: `mnist (zero-centred), MLP 1×100 ReLU, plain SGD lr 0.1, batch 16, ${epochs} epochs via train() with training.polyakDecay 0 vs 0.99 (val evaluated with the averaged params). Noise = std of epoch-to-epoch val-loss change over the last third; mean over ${seeds.length} seed(s): plain ${noisePlain.toFixed(4)}, averaged ${noiseAvg.toFixed(4)}.`,
      columns: 1, panelWidth: 620, panelHeight: 320,
    });
    return {
      headline: `val-loss noise (last third): plain ${noisePlain.toFixed(4)} vs averaged ${noiseAvg.toFixed(4)}`,
      checks,
      numbers: { seeds, epochs, noise: { plain: r4(noisePlain), averaged: r4(noiseAvg) }, runs: runs.map((r) => ({ polyakDecay: r.polyakDecay, per: r.per.map((p) => ({ seed: p.seed, noise: r4(p.noise), finalValLoss: r4(p.finalValLoss), valLoss: p.val.map(r4) })) })) },
      svg,
      method: "core",
      seeds,
    };
  },
};
