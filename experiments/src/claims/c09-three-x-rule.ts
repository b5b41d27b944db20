import type { SearchDetail, SearchSpecInput } from "@hps/contracts";
import { allTrials } from "../api-trials.ts";
import { check, type Claim, type Scale } from "../claim.ts";
import { runSearches } from "../product.ts";
import { r4, range } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

/**
 * Claim 9: the 3x rule (stop a trial whose mini-batch loss exceeds 3 × its initial loss) stops
 * high-learning-rate trials early and saves compute without losing the best trial. Through the public
 * API: the same random search (20 trials, learning rate log-uniform 1e-3…30, so some rates are far too
 * high) is POSTed twice per seed — with earlyStopping.lossFactor 3 (the default) and with the rule off
 * (lossFactor 1e6; NaN/Inf still stop) — and read back: compute = the search's budget.epochsRun (epochs
 * trained, as the API counts them: a stopped trial's partial epoch is not one), budget.savedByDivergence,
 * each trial's stopReason and metrics.epochs, and the best trial = the search's rank 1 (index + val accuracy).
 */
export const threeXRule: Claim = {
  id: 9,
  slug: "three-x-rule",
  api: true,
  title: "The 3x rule stops high-learning-rate trials early and saves compute",
  async run(scale: Scale, ctx) {
    const quick = scale === "quick";
    const seeds = range(quick ? 2 : 5);
    const epochs = quick ? 8 : 20;
    const trials = quick ? 10 : 20;
    const spec = (seed: number, lossFactor: number): SearchSpecInput => ({
      name: `claim9-lossFactor${lossFactor}-seed${seed}`,
      seed,
      dataset: { name: "spiral", trainSize: 300, valSize: 300 },
      model: { hidden: [50], activation: "relu", init: "he" },
      training: { epochs, batchSize: 32, optimizer: "momentum" },
      space: { "training.learningRate": { type: "loguniform", low: 1e-3, high: 30 } },
      strategy: { type: "random", trials, parallelism: 4 },
      objective: { metric: "valAccuracy", goal: "maximize" },
      earlyStopping: { lossFactor },
    });
    const { client } = await ctx.product();
    const searches = await runSearches(client, seeds.flatMap((seed) => [spec(seed, 3), spec(seed, 1e6)]));
    const read = async (s: SearchDetail) => {
      const ts = (await allTrials(client, s.id)).sort((a, b) => a.index - b.index);
      return {
        budget: s.budget,
        best: { index: s.best?.index ?? null, valAccuracy: s.best?.metrics?.valAccuracy ?? null, lr: (s.best?.params["training.learningRate"] as number | undefined) ?? null },
        trials: ts.map((t) => ({ index: t.index, lr: t.params["training.learningRate"] as number, status: t.status, stopReason: t.stopReason, epochs: t.metrics?.epochs ?? 0, valAccuracy: t.metrics?.valAccuracy ?? null })),
      };
    };
    const per = [];
    for (const [i, seed] of seeds.entries()) {
      const on = await read(searches[2 * i]);
      const off = await read(searches[2 * i + 1]);
      const stopped = on.trials.filter((t) => t.stopReason === "loss_exploded");
      per.push({
        seed,
        stoppedBy3x: stopped.length,
        lowestStoppedLr: stopped.length ? Math.min(...stopped.map((t) => t.lr)) : null,
        epochsWithRule: on.budget.epochsRun,
        epochsWithoutRule: off.budget.epochsRun,
        savedByDivergence: { withRule: on.budget.savedByDivergence, withoutRule: off.budget.savedByDivergence },
        saved: off.budget.epochsRun - on.budget.epochsRun,
        bestWithRule: on.best,
        bestWithoutRule: off.best,
        sameParams: on.trials.every((t, j) => off.trials[j]?.lr === t.lr),
        trials: on.trials.map((t, j) => ({ lr: t.lr, withRule: t, withoutRule: off.trials[j] })),
      });
    }
    const saved = per.reduce((n, p) => n + p.saved, 0);
    const total = per.reduce((n, p) => n + p.epochsWithoutRule, 0);
    const sameBest = per.filter((p) => p.bestWithRule.index === p.bestWithoutRule.index && p.bestWithRule.valAccuracy === p.bestWithoutRule.valAccuracy).length;
    const checks = [
      check("both searches of a seed sample the same learning rates", per.every((p) => p.sameParams), per.map((p) => `seed ${p.seed}: ${p.sameParams ? "same" : "differ"}`).join("; ")),
      check("the rule stops high-learning-rate trials and saves epochs, on every seed", per.every((p) => p.stoppedBy3x > 0 && p.saved > 0), per.map((p) => `seed ${p.seed}: ${p.stoppedBy3x} stopped, ${p.saved} of ${p.epochsWithoutRule} epochs saved`).join("; ")),
      check("every trial the rule stops has a higher learning rate than the best trial", per.every((p) => p.lowestStoppedLr !== null && p.bestWithRule.lr !== null && p.lowestStoppedLr > p.bestWithRule.lr),
        per.map((p) => `seed ${p.seed}: lowest stopped lr ${r4(p.lowestStoppedLr)} vs best ${r4(p.bestWithRule.lr)}`).join("; ")),
      check("the best trial is the same with and without the rule, on every seed", sameBest === per.length,
        per.map((p) => `seed ${p.seed}: #${p.bestWithRule.index} (${p.bestWithRule.valAccuracy}) vs #${p.bestWithoutRule.index} (${p.bestWithoutRule.valAccuracy})`).join("; ")),
    ];
    const p0 = per[0];
    const svg = figure([
      (w, h) => linePanel({ title: `epochs trained per trial vs learning rate, seed ${p0.seed}`, x: { label: "learning rate (log)", log: true }, y: { label: "epochs trained", domain: [0, epochs + 1] },
        series: [{ label: "rule off (lossFactor 1e6)", points: p0.trials.map((t) => [t.lr, t.withoutRule.epochs] as const), dots: true, noLine: true }, { label: "3x rule", points: p0.trials.map((t) => [t.lr, t.withRule.epochs] as const), dots: true, noLine: true }] }, w, h),
      (w, h) => linePanel({ title: `val accuracy vs learning rate, seed ${p0.seed}`, x: { label: "learning rate (log)", log: true }, y: { label: "val accuracy (stopped before epoch 1: 0)", domain: [0, 1] },
        series: [{ label: "rule off", points: p0.trials.map((t) => [t.lr, t.withoutRule.valAccuracy ?? 0] as const), dots: true, noLine: true }, { label: "3x rule", points: p0.trials.map((t) => [t.lr, t.withRule.valAccuracy ?? 0] as const), dots: true, noLine: true }] }, w, h),
    ], {
      title: "Claim 9 — the 3x rule saves compute without losing the best trial",
      caption: `Random search, ${trials} trials, learning rate log-uniform 1e-3…30, spiral MLP 1×50, momentum SGD, ${epochs} epochs; through the public API (POST /v1/searches twice per seed, read back budget.epochsRun, stop reasons and the rank-1 trial with @hps/client). ${seeds.length} search seeds: ${saved} of ${total} epochs saved (${((100 * saved) / total).toFixed(0)}%); best trial unchanged in ${sameBest}/${seeds.length}.`,
      columns: 2, panelWidth: 420, panelHeight: 290,
    });
    return {
      headline: `${saved} of ${total} epochs saved (${((100 * saved) / total).toFixed(0)}%), best trial unchanged in ${sameBest}/${seeds.length} seeds`,
      checks,
      numbers: { seeds, epochs, trials, epochsSaved: saved, epochsWithoutRule: total, per: per.map((p) => ({ ...p, lowestStoppedLr: r4(p.lowestStoppedLr), trials: p.trials.map((t) => ({ ...t, lr: r4(t.lr) })) })) },
      svg,
      method: "public API (product on an ephemeral port, @hps/client)",
      seeds,
    };
  },
};
