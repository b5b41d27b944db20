import { TrialConfig } from "@hps/contracts";
import { train } from "@hps/core";
import { withArena } from "../arena.ts";
import { check, type Claim, type Scale } from "../claim.ts";
import { deepNetForward } from "../deep-net.ts";
import { histogram, mean, r4, range, std32 } from "../stats.ts";
import { figure, histogramPanel, linePanel } from "../svg/chart.ts";

const LRS = [0.03, 0.1, 0.3, 1, 3, 10];

/**
 * Claim 4, two parts.
 * (a) Pre-activations of a 10-layer tanh net with a poor init (N(0, 0.01²)): without BN their std
 *     collapses layer by layer; with BN (training mode, batch statistics) every layer's are ~N(0, 1):
 *     mean ≈ 0, std ≈ 1, and ≈ 68.3% within ±1 (a unit gaussian's share).
 * (b) A learning-rate sweep with plain SGD on mnist (MLP 2×100 ReLU, He init), with and without BN:
 *     a rate "trains" when the run completes and its final train loss is below half the initial;
 *     the claim holds if some rate trains with BN and diverges (the 3x rule or NaN) without, on every seed.
 */
export const batchNorm: Claim = {
  id: 4,
  slug: "batch-norm",
  title: "Batch norm: unit-gaussian pre-activations; trains at a rate that diverges without it",
  run(scale: Scale) {
    const seeds = scale === "quick" ? [0] : [0, 1, 2];
    const depth = 10;
    const width = scale === "quick" ? 100 : 500;
    const batch = scale === "quick" ? 200 : 1000;
    const probe = (bn: boolean) => {
      const per = seeds.map((seed) => withArena(() => {
        const { pre } = deepNetForward({ depth, width, batch, activation: "tanh", init: "small", initStd: 0.01, batchNorm: bn, seed });
        return {
          std: pre.map(std32),
          mean: pre.map((z) => z.reduce((a, b) => a + b, 0) / z.length),
          within1: pre.map((z) => { const s = std32(z); return z.reduce((n, v) => n + (Math.abs(v) <= s ? 1 : 0), 0) / z.length; }),
          hist: seed === seeds[0] ? histogram(pre[depth - 1], 30, -4, 4) : [],
        };
      }));
      return { std: range(depth).map((l) => mean(per.map((p) => p.std[l]))), mean: range(depth).map((l) => mean(per.map((p) => p.mean[l]))), within1: range(depth).map((l) => mean(per.map((p) => p.within1[l]))), hist: per[0].hist };
    };
    const plain = probe(false);
    const bn = probe(true);

    const trainSize = scale === "quick" ? 1000 : 2000;
    const epochs = scale === "quick" ? 3 : 5;
    const lrs = scale === "quick" ? [3] : LRS;
    const sweep = [false, true].map((useBn) => ({
      batchNorm: useBn,
      runs: lrs.map((lr) => {
        const per = seeds.map((seed) => {
          const cfg = TrialConfig.parse({
            seed,
            dataset: { name: "mnist", trainSize, valSize: 200, preprocess: "zero_center" },
            model: { hidden: [100, 100], activation: "relu", init: "he", batchNorm: useBn },
            training: { epochs, batchSize: 64, optimizer: "sgd", learningRate: lr },
          });
          const r = train(cfg);
          const initial = r.metrics.initialLoss ?? NaN;
          const final = r.status === "completed" ? (r.metrics.finalLoss ?? NaN) : NaN;
          return { seed, status: r.status, stopReason: r.stopReason, initialLoss: initial, finalLoss: final, trains: r.status === "completed" && final < initial / 2 };
        });
        return { lr, per, trainsAll: per.every((p) => p.trains), divergesAll: per.every((p) => p.status === "stopped") };
      }),
    }));
    const [noBn, withBn] = sweep;
    const witness = lrs.filter((_, i) => withBn.runs[i].trainsAll && noBn.runs[i].divergesAll);

    const checks = [
      check("without BN (init N(0, 0.01²)) pre-activations collapse", plain.std[depth - 1] < 1e-3, `layer-10 pre-activation std ${plain.std[depth - 1].toExponential(1)}`),
      check("with BN every layer's pre-activations are ~unit gaussian", bn.std.every((s) => Math.abs(s - 1) < 0.05) && bn.mean.every((m) => Math.abs(m) < 0.05) && bn.within1.every((f) => Math.abs(f - 0.683) < 0.05),
        `std ${bn.std.map((s) => s.toFixed(3)).join(", ")}; share within ±1σ ${bn.within1.map((f) => f.toFixed(3)).join(", ")}`),
      check("some learning rate trains with BN and diverges without it (every seed)", witness.length > 0,
        `rates: ${lrs.map((lr, i) => `${lr}: BN ${withBn.runs[i].trainsAll ? "trains" : "no"}, plain ${noBn.runs[i].divergesAll ? "diverges" : "no"}`).join("; ")}`),
    ];
    const lossPoints = (s: (typeof sweep)[number]) => s.runs.map((r) => [r.lr, mean(r.per.map((p) => (Number.isFinite(p.finalLoss) ? p.finalLoss : 10)))] as const);
    const svg = figure([
      (w, h) => linePanel({ title: "pre-activation std per layer (tanh, N(0,0.01²))", x: { label: "layer" }, y: { label: "std (log)", log: true },
        series: [{ label: "no BN", points: plain.std.map((s, l) => [l + 1, s] as const), dots: true }, { label: "BN", points: bn.std.map((s, l) => [l + 1, s] as const), dots: true }] }, w, h),
      (w, h) => histogramPanel({ title: "layer-10 pre-activations with BN (on [−4, 4])", counts: bn.hist, lo: -4, hi: 4 }, w, h),
      (w, h) => linePanel({ title: "final train loss vs learning rate (SGD, mnist)", x: { label: "learning rate", log: true }, y: { label: "final loss (diverged drawn at 10)", log: true },
        series: [{ label: "no BN", points: lossPoints(noBn), dots: true }, { label: "BN", points: lossPoints(withBn), dots: true }] }, w, h),
    ], {
      title: "Claim 4 — batch normalisation",
      caption: `Left: pre-activations of a 10-layer tanh net (${width} units, ${batch} N(0,1) inputs, init N(0, 0.01²)), core layers directly (Affine, BatchNorm in training mode, Tanh). Middle: their histogram at layer 10 with BN (seed ${seeds[0]}). Right: plain SGD on mnist (${trainSize} train digits, zero-centred, MLP 2×100 ReLU, He init, batch 64, ${epochs} epochs) via train(); a diverged run (stopped by the 3x rule or NaN) is drawn at 10. ${seeds.length} seed(s): ${seeds.join(", ")}. Rates that train with BN and diverge without, on every seed: ${witness.join(", ") || "none"}.`,
      columns: 3, panelWidth: 330, panelHeight: 260,
    });
    return {
      headline: `BN pre-activation std ${mean(bn.std).toFixed(3)} (plain: ${plain.std[depth - 1].toExponential(0)} at layer 10); lr ${witness.join(", ") || "none"} trains only with BN`,
      checks,
      numbers: {
        seeds, depth, width, batch,
        preActivation: { noBn: { std: plain.std.map(r4), mean: plain.mean.map(r4) }, bn: { std: bn.std.map(r4), mean: bn.mean.map(r4), within1Std: bn.within1.map(r4), histogramLayer10: bn.hist } },
        sweep: sweep.map((s) => ({ batchNorm: s.batchNorm, runs: s.runs.map((r) => ({ lr: r.lr, trainsAll: r.trainsAll, divergesAll: r.divergesAll, per: r.per.map((p) => ({ ...p, initialLoss: r4(p.initialLoss), finalLoss: r4(p.finalLoss) })) })) })),
        witnessRates: witness,
      },
      svg,
      method: "core",
      seeds,
    };
  },
};
