import { TrialConfig, type TrialConfigInput } from "@hps/contracts";
import { train } from "@hps/core";
import { ADVICE, diagnoseTrial } from "@hps/search";
import { check, type Claim, type Scale } from "../claim.ts";
import { r4 } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

type Advice = (typeof ADVICE)[keyof typeof ADVICE];

/**
 * Claim 15 (babysitting): the lecture's four loss curves — too low a rate (barely moving), too high
 * (explodes), good, and bad initialisation (flat, then drops) — produced by train() on spiral (MLP
 * 2×50, momentum SGD, batch 32) and named by hps's own per-trial diagnostics (packages/search
 * diagnoseTrial, as the worker stores them). "Named correctly" = the run's diagnostics carry its
 * expected advice and none of the other three curves' advice.
 */
export const babysitting: Claim = {
  id: 15,
  slug: "babysitting",
  title: "Babysitting: the lecture's loss curves, each named by hps's diagnostics",
  run(scale: Scale) {
    const seed = 0;
    const epochs = 60; // the bad-init plateau lasts ~40 epochs: the quick run needs the full length (0.6 s)
    const runs: { name: string; expect: Advice | null; model: TrialConfigInput["model"]; lr: number }[] = [
      { name: "too low (lr 1e-6)", expect: ADVICE.lrTooLow, model: { init: "he" }, lr: 1e-6 },
      { name: "too high (lr 30)", expect: ADVICE.lrTooHigh, model: { init: "he" }, lr: 30 },
      { name: "good (lr 0.05)", expect: null, model: { init: "he" }, lr: 0.05 },
      { name: "bad init N(0,0.01²) (lr 0.05)", expect: ADVICE.badInit, model: { init: "small", initStd: 0.01 }, lr: 0.05 },
    ];
    const named = [ADVICE.lrTooLow, ADVICE.lrTooHigh, ADVICE.badInit];
    const rows = runs.map((r) => {
      const config = TrialConfig.parse({
        seed,
        dataset: { name: "spiral", trainSize: 300, valSize: 300 },
        model: { hidden: [50, 50], activation: "relu", ...r.model },
        training: { epochs, batchSize: 32, optimizer: "momentum", learningRate: r.lr },
      });
      const res = train(config);
      const diagnostics = diagnoseTrial({ curve: res.curve, metrics: res.metrics, classes: 3, status: res.status, stopReason: res.stopReason });
      const has = (a: Advice) => diagnostics.some((d) => d.endsWith(a));
      const correct = (r.expect === null || has(r.expect)) && named.filter((a) => a !== r.expect).every((a) => !has(a));
      // A stopped run's last point is the mini-batch loss that stopped it, inside the epoch it did not finish.
      const stoppedAt = res.status === "stopped" ? { epoch: res.curve.length + 1, loss: res.metrics.finalLoss } : null;
      return { name: r.name, expected: r.expect, status: res.status, stopReason: res.stopReason, initialLoss: res.metrics.initialLoss, curve: res.curve.map((p) => p.trainLoss), stoppedAt, diagnostics, correct };
    });
    const checks = rows.map((r) => check(`${r.name} is named ${r.expected ? `"${r.expected}"` : "with none of the three"}`, r.correct, r.diagnostics.length ? r.diagnostics.join(" | ") : "no diagnostics"));
    const svg = figure([
      (w, h) => linePanel({ title: "train loss per epoch (spiral, seed 0)", x: { label: "epoch" }, y: { label: "train loss (log)", log: true },
        series: rows.map((r) => ({ label: r.stoppedAt ? `${r.name}, stopped` : r.name, points: [[0, r.initialLoss ?? NaN] as const, ...r.curve.map((v, e) => [e + 1, v ?? NaN] as const), ...(r.stoppedAt ? [[r.stoppedAt.epoch, r.stoppedAt.loss ?? NaN] as const] : [])], dots: r.status === "stopped" })) }, w, h),
    ], {
      title: "Claim 15 — babysitting: four curves and what hps's diagnostics call them",
      caption: `train() on spiral (300/300), MLP 2×50 ReLU, momentum SGD, batch 32, ${epochs} epochs, seed ${seed}; epoch 0 = the initial loss; a stopped run ends at the mini-batch loss that stopped it. Diagnostics (packages/search diagnoseTrial): ${rows.map((r) => `${r.name}: ${r.diagnostics.map((d) => d.split(": ").at(-1)).join("; ") || "none"}`).join(" — ")}.`,
      columns: 1, panelWidth: 640, panelHeight: 340,
    });
    return {
      headline: `${rows.filter((r) => r.correct).length}/4 curves named correctly`,
      checks,
      numbers: { seed, epochs, rows: rows.map((r) => ({ ...r, initialLoss: r4(r.initialLoss), curve: r.curve.map(r4), stoppedAt: r.stoppedAt && { epoch: r.stoppedAt.epoch, loss: r4(r.stoppedAt.loss) } })) },
      svg,
      method: "core + search diagnostics",
      seeds: [seed],
    };
  },
};
