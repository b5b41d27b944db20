import { DatasetConfig, ModelConfig, type TrialConfigInput } from "@hps/contracts";

type DatasetConfigInput = TrialConfigInput["dataset"];
import { buildModel, defaultDatasetCache, evaluate, featureCount, type Param, Rng, SoftmaxCrossEntropy } from "@hps/core";
import { withArena } from "../arena.ts";
import { check, type Claim, type Scale } from "../claim.ts";
import { mean, r4 } from "../stats.ts";
import { barPanel, figure } from "../svg/chart.ts";

/** L2 strengths tried; 0 is the lecture's sanity check, the rest "crank up regularisation". */
const L2S = [0, 1e-3, 1e-2, 1e-1, 1];
/** |loss − ln C| within this fraction of ln C counts as "≈ ln C" (diagnoseTrial allows 50%; we ask for 2%). */
const TOLERANCE = 0.02;

/**
 * Claim 1: with small weights (N(0, 0.01²)) and no regularisation the initial softmax loss is ≈ ln C;
 * adding L2 raises it. Measured on the whole train split at init (no training), loss = mean data loss
 * + ½·l2·ΣW² over the weights (what the core's applyL2 adds), mean over seeds, for spiral (C = 3) and mnist (C = 10).
 */
export const initialLoss: Claim = {
  id: 1,
  slug: "initial-loss",
  title: "Initial loss ≈ ln(C); L2 raises it",
  run(scale: Scale) {
    const seeds = scale === "quick" ? [0, 1] : [0, 1, 2, 3, 4];
    const sets: { name: string; ds: DatasetConfigInput; hidden: number[] }[] = [
      { name: "spiral", ds: { name: "spiral", trainSize: scale === "quick" ? 150 : 300, valSize: 30 }, hidden: [100] },
      { name: "mnist", ds: { name: "mnist", trainSize: scale === "quick" ? 200 : 2000, valSize: 100, preprocess: "zero_center" }, hidden: [100] },
    ];
    const results = sets.map((s) => {
      const perL2 = L2S.map((l2) => mean(seeds.map((seed) => lossAtInit(DatasetConfig.parse(s.ds), s.hidden, l2, seed))));
      const classes = s.name === "spiral" ? 3 : 10;
      return { dataset: s.name, classes, lnC: Math.log(classes), l2: L2S, meanLoss: perL2 };
    });
    const checks = results.flatMap((r) => [
      check(`${r.dataset}: loss at l2=0 ≈ ln(${r.classes})`, Math.abs(r.meanLoss[0] - r.lnC) <= TOLERANCE * r.lnC, `${r.meanLoss[0].toFixed(4)} vs ln(${r.classes}) = ${r.lnC.toFixed(4)} (tolerance ${TOLERANCE * 100}%)`),
      check(`${r.dataset}: L2 raises the initial loss`, r.meanLoss.every((v, i) => i === 0 || v > r.meanLoss[i - 1]), r.meanLoss.map((v, i) => `l2=${L2S[i]}: ${v.toFixed(4)}`).join(", ")),
    ]);
    const svg = figure(
      results.map((r) => (w: number, h: number) =>
        barPanel({ title: `${r.dataset} (C = ${r.classes})`, yLabel: "initial loss", bars: r.meanLoss.map((v, i) => ({ label: `l2=${L2S[i]}`, value: v })), hlines: [{ y: r.lnC, label: `ln ${r.classes} = ${r.lnC.toFixed(3)}` }] }, w, h)),
      {
        title: "Claim 1 — initial softmax loss ≈ ln C, and L2 raises it",
        caption: `Loss of a freshly initialised MLP (one hidden layer of 100 ReLU units, weights N(0, 0.01²), biases 0) over the whole train split before any update: mean data loss + ½·l2·ΣW². Mean over ${seeds.length} seeds (${seeds.join(", ")}). Core directly (buildModel, evaluate; penalty ½·l2·ΣW² over the weights, as applyL2).`,
        columns: 2, panelWidth: 380, panelHeight: 260,
      },
    );
    return {
      headline: results.map((r) => `${r.dataset}: ${r.meanLoss[0].toFixed(3)} vs ln ${r.classes} = ${r.lnC.toFixed(3)}`).join("; "),
      checks,
      numbers: { seeds, results: results.map((r) => ({ ...r, meanLoss: r.meanLoss.map(r4) })) },
      svg,
      method: "core",
      seeds,
    };
  },
};

function lossAtInit(ds: DatasetConfig, hidden: number[], l2: number, seed: number): number {
  return withArena(() => {
    const data = defaultDatasetCache.get(ds, seed);
    const model = buildModel(ModelConfig.parse({ hidden, init: "small", initStd: 0.01 }), data.inputShape, data.classes, new Rng(seed));
    const { loss } = evaluate(model, new SoftmaxCrossEntropy(), data.trainX, data.trainY, featureCount(data), data.classes);
    return loss + l2Penalty(model.params(), l2);
  });
}

/** ½·l2·ΣW² over the params L2 applies to (weights; not biases), as the core's applyL2 adds to the loss. */
function l2Penalty(params: readonly Param[], l2: number): number {
  let sum = 0;
  for (const p of params) if (p.decay) for (const w of p.value) sum += w * w;
  return 0.5 * l2 * sum;
}
