import { TrialConfig } from "@hps/contracts";
import { type Dataset, mnistAll, Rng, train } from "@hps/core";
import { check, type Claim, type Scale } from "../claim.ts";
import { mean, r4 } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

const PIXELS = 28 * 28;

/**
 * Disjoint mnist subsets by digit: `digits` relabelled 0…k−1, shuffled with rng, first `sizes[0]` for
 * train, next `sizes[1]` for val. Built by hand because the task differs from the one pretrained on.
 */
export function digitsDataset(digits: number[], trainSize: number, valSize: number, rng: Rng): Dataset {
  const { X, Y } = mnistAll();
  const rows: number[] = [];
  for (let i = 0; i < Y.length; i++) if (digits.includes(Y[i])) rows.push(i);
  const order = Int32Array.from(rows);
  rng.shuffle(order);
  const take = (from: number, n: number) => {
    const x = new Float32Array(n * PIXELS);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      x.set(X.subarray(order[from + i] * PIXELS, (order[from + i] + 1) * PIXELS), i * PIXELS);
      y[i] = digits.indexOf(Y[order[from + i]]);
    }
    return { x, y };
  };
  const tr = take(0, trainSize);
  const va = take(trainSize, valSize);
  return { trainX: tr.x, trainY: tr.y, valX: va.x, valY: va.y, inputShape: [1, 28, 28], classes: digits.length };
}

/**
 * Claim 14 (transfer learning): a model trained on digits 0–5 (3,000 digits) is fine-tuned on a small
 * set of a new task, digits 6–9 (100 digits), with a 10× lower learning rate (1e-4), through the core's
 * fine-tune support (model.initFrom + hooks.initialParams, nothing frozen; the class count differs, so
 * the output layer starts fresh, as the lecture's "replace the last layer"). Baseline: the same budget
 * (epochs) from scratch at the usual rate 1e-3. Val: 1,000 other digits 6–9. Mean over seeds.
 * Reported, not asserted: fine-tuning at the same rate 1e-3, and a linear probe (the stored features
 * frozen, a fresh classifier at 1e-3). Asserted besides: with equal class counts (0–4 → 5–9) a fresh
 * classifier (model.initFrom.reinitLayers 1) fine-tunes better than the stored, confidently wrong one.
 */
export const fineTune: Claim = {
  id: 14,
  slug: "fine-tune",
  title: "Fine-tuning a stored trial beats training from scratch on a small dataset",
  run(scale: Scale) {
    const seeds = scale === "quick" ? [0] : [0, 1, 2];
    const epochs = scale === "quick" ? 8 : 20;
    const pretrainSize = scale === "quick" ? 500 : 3000;
    const cfg = (seed: number, lr: number, ep: number, initFrom?: object) => TrialConfig.parse({
      seed,
      dataset: { name: "mnist", trainSize: 100, valSize: 1000 },
      model: { hidden: [256], activation: "relu", init: "he", ...(initFrom ? { initFrom } : {}) },
      training: { epochs: ep, batchSize: 32, optimizer: "adam", learningRate: lr },
    });
    const from = (freezeLayers: number, reinitLayers: number) => ({ trialId: "00000000-0000-4000-8000-000000000000", freezeLayers, reinitLayers });
    type Arm = { lr: number; freezeLayers: number; reinitLayers: number };
    const transfer = (seed: number, sourceDigits: number[], targetDigits: number[], arms: Arm[]) => {
      const rng = new Rng(seed);
      const source = digitsDataset(sourceDigits, pretrainSize, 200, rng.fork(1));
      const target = digitsDataset(targetDigits, 100, scale === "quick" ? 300 : 1000, rng.fork(2));
      const pre = train(cfg(seed, 1e-3, scale === "quick" ? 3 : 10), { dataset: source });
      const tuned = arms.map((a) => train(cfg(seed, a.lr, epochs, from(a.freezeLayers, a.reinitLayers)), { dataset: target, initialParams: pre.params }).curve.map((p) => p.valAccuracy ?? 0));
      const scratch = train(cfg(seed, 1e-3, epochs), { dataset: target }).curve.map((p) => p.valAccuracy ?? 0);
      return { seed, pretrainValAccuracy: pre.metrics.valAccuracy, tuned, scratch };
    };
    const per = seeds.map((seed) => {
      // lr 1e-4 (the claim), lr 1e-3 (scratch's rate), and a linear probe (features frozen, lr 1e-3):
      // does a classifier on the stored features beat one on a fresh net's?
      const t = transfer(seed, [0, 1, 2, 3, 4, 5], [6, 7, 8, 9], [{ lr: 1e-4, freezeLayers: 0, reinitLayers: 0 }, { lr: 1e-3, freezeLayers: 0, reinitLayers: 0 }, { lr: 1e-3, freezeLayers: 1, reinitLayers: 0 }]);
      return { seed, pretrainValAccuracy: t.pretrainValAccuracy, fineTuned: t.tuned[0], fineTunedSameRate: t.tuned[1], linearProbe: t.tuned[2], scratch: t.scratch };
    });
    // Equal class counts (0–4 → 5–9): the stored output layer is kept unless initFrom.reinitLayers says otherwise.
    const equalClasses = seeds.map((seed) => {
      const t = transfer(seed, [0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [{ lr: 1e-4, freezeLayers: 0, reinitLayers: 0 }, { lr: 1e-4, freezeLayers: 0, reinitLayers: 1 }]);
      return { seed, keptHead: t.tuned[0], freshHead: t.tuned[1], scratch: t.scratch };
    });
    const keptHead = { seed: seeds[0], tuned: [equalClasses[0].keptHead, equalClasses[0].freshHead], scratch: equalClasses[0].scratch };
    const ft = mean(per.map((p) => p.fineTuned.at(-1)!));
    const ftSame = mean(per.map((p) => p.fineTunedSameRate.at(-1)!));
    const sc = mean(per.map((p) => p.scratch.at(-1)!));
    const probe = mean(per.map((p) => p.linearProbe.at(-1)!));
    const checks = [
      check("with equal class counts, initFrom.reinitLayers 1 (a fresh classifier) fine-tunes better than keeping the stored one, on every seed", equalClasses.every((e) => e.freshHead.at(-1)! > e.keptHead.at(-1)!), equalClasses.map((e) => `seed ${e.seed}: ${e.freshHead.at(-1)!.toFixed(3)} vs ${e.keptHead.at(-1)!.toFixed(3)} (scratch ${e.scratch.at(-1)!.toFixed(3)})`).join("; ")),
      check("fine-tuned (lr 1e-4) beats from-scratch (lr 1e-3) val accuracy with the same budget, on every seed", per.every((p) => p.fineTuned.at(-1)! > p.scratch.at(-1)!), per.map((p) => `seed ${p.seed}: ${p.fineTuned.at(-1)!.toFixed(3)} vs ${p.scratch.at(-1)!.toFixed(3)} (fine-tuned at 1e-3: ${p.fineTunedSameRate.at(-1)!.toFixed(3)})`).join("; ")),
    ];
    const p0 = per[0];
    const svg = figure([
      (w, h) => linePanel({ title: `digits 0–5 → 6–9 (100 train digits), seed ${p0.seed}`, x: { label: "epoch" }, y: { label: "val accuracy", domain: [0, 1] },
        series: [{ label: "fine-tuned, lr 1e-4", points: p0.fineTuned.map((a, e) => [e + 1, a] as const) }, { label: "fine-tuned, lr 1e-3", points: p0.fineTunedSameRate.map((a, e) => [e + 1, a] as const), dashed: true }, { label: "linear probe (frozen features), lr 1e-3", points: p0.linearProbe.map((a, e) => [e + 1, a] as const), dashed: true }, { label: "from scratch, lr 1e-3", points: p0.scratch.map((a, e) => [e + 1, a] as const) }] }, w, h),
      (w, h) => linePanel({ title: `digits 0–4 → 5–9 (equal class counts), seed ${keptHead.seed}`, x: { label: "epoch" }, y: { label: "val accuracy", domain: [0, 1] },
        series: [{ label: "fine-tuned lr 1e-4, stored output layer kept", points: keptHead.tuned[0].map((a, e) => [e + 1, a] as const), dashed: true }, { label: "fine-tuned lr 1e-4, reinitLayers 1", points: keptHead.tuned[1].map((a, e) => [e + 1, a] as const) }, { label: "from scratch, lr 1e-3", points: keptHead.scratch.map((a, e) => [e + 1, a] as const) }] }, w, h),
    ], {
      title: "Claim 14 — fine-tuning vs training from scratch",
      caption: `Pretrained ${scale === "quick" ? 3 : 10} epochs on ${pretrainSize} digits of the source task (MLP 1×256 ReLU, Adam 1e-3), then ${epochs} epochs on 100 digits of the target task: fine-tuned from the stored params (core fine-tune: model.initFrom + initialParams, nothing frozen) or from scratch. Val: 1,000 other target digits. Mean over ${seeds.length} seed(s): fine-tuned lr 1e-4 ${ft.toFixed(3)}, fine-tuned lr 1e-3 ${ftSame.toFixed(3)}, linear probe on the stored features ${probe.toFixed(3)}, scratch ${sc.toFixed(3)}. Right: with equal class counts the stored output layer is kept unless model.initFrom.reinitLayers is 1 (final, mean over seeds: kept ${mean(equalClasses.map((e) => e.keptHead.at(-1)!)).toFixed(3)}, reinitLayers 1 ${mean(equalClasses.map((e) => e.freshHead.at(-1)!)).toFixed(3)}, scratch ${mean(equalClasses.map((e) => e.scratch.at(-1)!)).toFixed(3)}).`,
      columns: 2, panelWidth: 440, panelHeight: 300,
    });
    return {
      headline: `val accuracy (100 digits 6–9): fine-tuned lr 1e-4 ${ft.toFixed(3)}, lr 1e-3 ${ftSame.toFixed(3)}, from scratch ${sc.toFixed(3)}`,
      checks,
      numbers: {
        seeds, epochs, pretrainSize, fineTuned: r4(ft), fineTunedSameRate: r4(ftSame), linearProbe: r4(probe), scratch: r4(sc),
        per: per.map((p) => ({ ...p, fineTuned: p.fineTuned.map(r4), fineTunedSameRate: p.fineTunedSameRate.map(r4), linearProbe: p.linearProbe.map(r4), scratch: p.scratch.map(r4) })),
        equalClassCounts: { source: "0-4", target: "5-9", per: equalClasses.map((e) => ({ seed: e.seed, keptHead: e.keptHead.map(r4), reinitLayers1: e.freshHead.map(r4), scratch: e.scratch.map(r4) })) },
      },
      svg,
      method: "core",
      seeds,
    };
  },
};
