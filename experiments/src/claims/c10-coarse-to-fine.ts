import type { SearchDetail, SearchSpecInput, Trial } from "@hps/contracts";
import type { HpsClient } from "@hps/client";
import { check, type Claim, type Scale } from "../claim.ts";
import { allTrials } from "../api-trials.ts";
import { runSearch } from "../product.ts";
import { mean, r4 } from "../stats.ts";
import { barPanel, figure, linePanel } from "../svg/chart.ts";

/**
 * "As good": the coarse-to-fine best within one accuracy point of the flat search's best, mean over
 * seeds (val split of 500 digits: the standard error of an accuracy near 0.9 is ~1.3 points).
 */
const AS_GOOD = 0.01;

/**
 * Claim 10 (coarse-to-fine): through the public API (the product started in-process on an ephemeral
 * port, @hps/client), two searches per seed over the same space (learning rate and L2, log-uniform —
 * the lecture's example) on mnist: a flat random search whose every trial trains the full epochs, and a
 * coarse-to-fine one with per-round budgets (strategy.rounds as an array): a wide first round of 1-epoch
 * trials, then fewer full-length trials in the space the scheduler narrowed around the first round's
 * best. Compute = the search's budget.epochsRun (epochs actually trained, diverged trials stop early
 * under the 3x rule in both); best = the search's best trial (rank 1: the scheduler ranks longer-trained
 * trials before 1-epoch ones, so it is a full-length trial) and its val accuracy.
 */
export const coarseToFine: Claim = {
  id: 10,
  slug: "coarse-to-fine",
  api: true,
  title: "Coarse-to-fine finds as good a configuration as a flat search for less compute",
  async run(scale: Scale, ctx) {
    const quick = scale === "quick";
    const seeds = quick ? [0] : [0, 1, 2];
    const epochs = quick ? 3 : 10;
    const wide = quick ? 6 : 24;
    const narrow = quick ? 2 : 6;
    const spec = (seed: number, strategy: SearchSpecInput["strategy"], name: string): SearchSpecInput => ({
      name: `claim10-${name}-seed${seed}`,
      seed,
      dataset: { name: "mnist", trainSize: quick ? 300 : 2000, valSize: quick ? 200 : 500, preprocess: "zero_center" },
      model: { hidden: [100], activation: "relu", init: "he" },
      training: { epochs, batchSize: 64, optimizer: "momentum", momentum: 0.9 },
      space: {
        "training.learningRate": { type: "loguniform", low: 1e-4, high: 1 },
        "training.l2": { type: "loguniform", low: 1e-6, high: 1e-1 },
      },
      strategy,
      objective: { metric: "valAccuracy", goal: "maximize" },
    });
    const { client } = await ctx.product();
    const per = [];
    for (const seed of seeds) {
      const flat = await measured(client, spec(seed, { type: "random", trials: wide, parallelism: 2 }, "flat"));
      const c2f = await measured(client, spec(seed, { type: "random", trials: wide, parallelism: 2, rounds: [{ trials: wide, epochs: 1, keepFraction: 0.25 }, { trials: narrow, epochs }] }, "coarse-to-fine"));
      per.push({ seed, flat, c2f });
    }
    const flatBest = mean(per.map((p) => p.flat.bestValAccuracy));
    const c2fBest = mean(per.map((p) => p.c2f.bestValAccuracy));
    const flatEpochs = per.reduce((n, p) => n + p.flat.epochsRun, 0);
    const c2fEpochs = per.reduce((n, p) => n + p.c2f.epochsRun, 0);
    const checks = [
      check("coarse-to-fine trains fewer epochs than the flat search, on every seed", per.every((p) => p.c2f.epochsRun < p.flat.epochsRun), per.map((p) => `seed ${p.seed}: ${p.c2f.epochsRun} vs ${p.flat.epochsRun} epochs`).join("; ")),
      check(`coarse-to-fine's best is as good as the flat search's (mean within ${AS_GOOD})`, c2fBest >= flatBest - AS_GOOD, `${c2fBest.toFixed(4)} vs ${flatBest.toFixed(4)}; ${per.map((p) => `seed ${p.seed}: ${p.c2f.bestValAccuracy.toFixed(3)} vs ${p.flat.bestValAccuracy.toFixed(3)}`).join("; ")}`),
    ];
    const p0 = per[0];
    const dots = (ts: PointTrial[], round: number) => ts.filter((t) => t.round === round && t.valAccuracy !== null).map((t) => [t.lr, t.valAccuracy!] as const);
    const svg = figure([
      (w, h) => linePanel({ title: `val accuracy vs learning rate, seed ${p0.seed}`, x: { label: "learning rate (log)", log: true }, y: { label: "val accuracy", domain: [0, 1] },
        series: [
          { label: `flat: ${wide} × ${epochs} epochs`, points: dots(p0.flat.trials, 0), dots: true, noLine: true },
          { label: `coarse: ${wide} × 1 epoch`, points: dots(p0.c2f.trials, 0), dots: true, noLine: true },
          { label: `fine: ${narrow} × ${epochs} epochs (narrowed)`, points: dots(p0.c2f.trials, 1), dots: true, noLine: true },
        ] }, w, h),
      (w, h) => barPanel({ title: `epochs trained, ${seeds.length} seed(s)`, yLabel: "epochs", bars: [{ label: "flat", value: flatEpochs }, { label: "coarse-to-fine", value: c2fEpochs }] }, w, h),
      (w, h) => barPanel({ title: "best val accuracy (mean)", yLabel: "val accuracy", bars: [{ label: "flat", value: flatBest }, { label: "coarse-to-fine", value: c2fBest }] }, w, h),
    ], {
      title: "Claim 10 — coarse-to-fine vs a flat search",
      caption: `Through the public API (the product on an ephemeral port, @hps/client). mnist ${quick ? 300 : 2000} train / ${quick ? 200 : 500} val digits (zero-centred), MLP 1×100 ReLU, momentum SGD, learning rate log-uniform 1e-4…1 and L2 1e-6…1e-1. Flat: ${wide} random trials × ${epochs} epochs. Coarse-to-fine: strategy.rounds [{trials ${wide}, epochs 1, keepFraction 0.25}, {trials ${narrow}, epochs ${epochs}}], the second round sampled in the space the scheduler narrowed. Compute = budget.epochsRun; best = the search's rank-1 trial. ${seeds.length} seed(s): epochs ${c2fEpochs} vs ${flatEpochs}, best ${c2fBest.toFixed(4)} vs ${flatBest.toFixed(4)}.`,
      columns: 3, panelWidth: 330, panelHeight: 290,
    });
    return {
      headline: `best val accuracy: coarse-to-fine ${c2fBest.toFixed(3)} vs flat ${flatBest.toFixed(3)} for ${c2fEpochs} vs ${flatEpochs} epochs (${seeds.length} seeds)`,
      checks,
      numbers: {
        seeds, epochs, wideTrials: wide, narrowTrials: narrow, asGood: AS_GOOD, flatBest: r4(flatBest), coarseToFineBest: r4(c2fBest), flatEpochs, coarseToFineEpochs: c2fEpochs,
        per: per.map((p) => ({ seed: p.seed, flat: summary(p.flat), coarseToFine: summary(p.c2f) })),
      },
      svg,
      method: "public API (product on an ephemeral port, @hps/client)",
      seeds,
    };
  },
};

interface PointTrial {
  round: number;
  lr: number;
  l2: number;
  status: Trial["status"];
  epochs: number;
  valAccuracy: number | null;
}

async function measured(client: HpsClient, spec: SearchSpecInput) {
  const s: SearchDetail = await runSearch(client, spec);
  const trials = (await allTrials(client, s.id)).map((t): PointTrial => ({
    round: t.round, lr: t.params["training.learningRate"] as number, l2: t.params["training.l2"] as number, status: t.status, epochs: t.metrics?.epochs ?? 0, valAccuracy: t.metrics?.valAccuracy ?? null,
  }));
  return { searchId: s.id, epochsRun: s.budget.epochsRun, bestValAccuracy: s.best?.metrics?.valAccuracy ?? 0, bestRound: s.best?.round ?? null, rounds: s.rounds.map((r) => ({ index: r.index, space: r.space, trials: r.trials })), trials };
}

function summary(m: Awaited<ReturnType<typeof measured>>) {
  return { epochsRun: m.epochsRun, bestValAccuracy: r4(m.bestValAccuracy), bestRound: m.bestRound, rounds: m.rounds, trials: m.trials.map((t) => ({ ...t, lr: r4(t.lr), l2: r4(t.l2), valAccuracy: r4(t.valAccuracy) })) };
}
