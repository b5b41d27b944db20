import { check, type Claim, type Scale } from "../claim.ts";
import { bestTrial, runRound } from "../search-run.ts";
import { r4, range } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

/**
 * Claim 9: the 3x rule (stop a trial whose mini-batch loss exceeds 3 × its initial loss) stops
 * high-learning-rate trials early and saves compute without losing the best trial. The same random
 * search (20 trials, learning rate log-uniform 1e-3…30, so some rates are far too high) runs twice per
 * seed: with lossFactor 3 (the default) and with the rule off (lossFactor 1e6; NaN/Inf still stop).
 * Compute = epochs actually run (a stopped trial's partial epoch counts as 1).
 */
export const threeXRule: Claim = {
  id: 9,
  slug: "three-x-rule",
  title: "The 3x rule stops high-learning-rate trials early and saves compute",
  run(scale: Scale) {
    const seeds = range(scale === "quick" ? 2 : 5);
    const epochs = scale === "quick" ? 8 : 20;
    const trials = scale === "quick" ? 10 : 20;
    const spec = (seed: number, lossFactor: number) => ({
      seed,
      dataset: { name: "spiral", trainSize: 300, valSize: 300 },
      model: { hidden: [50], activation: "relu", init: "he" },
      training: { epochs, batchSize: 32, optimizer: "momentum" },
      space: { "training.learningRate": { type: "loguniform", low: 1e-3, high: 30 } },
      strategy: { type: "random", trials },
      objective: { metric: "valAccuracy", goal: "maximize" },
      earlyStopping: { lossFactor },
    });
    // A stopped trial ran its completed epochs plus the one it stopped in.
    const cost = (r: { status: string; metrics: { epochs: number } }) => Math.min(epochs, r.metrics.epochs + (r.status === "stopped" ? 1 : 0));
    const per = seeds.map((seed) => {
      const on = runRound(spec(seed, 3));
      const off = runRound(spec(seed, 1e6));
      const bestOn = bestTrial(on.spec, on.trials);
      const bestOff = bestTrial(off.spec, off.trials);
      const epochsOn = on.trials.reduce((n, t) => n + cost(t.result), 0);
      const epochsOff = off.trials.reduce((n, t) => n + cost(t.result), 0);
      return {
        seed,
        stoppedBy3x: on.trials.filter((t) => t.result.stopReason === "loss_exploded").length,
        epochsWithRule: epochsOn,
        epochsWithoutRule: epochsOff,
        saved: epochsOff - epochsOn,
        bestWithRule: { index: bestOn?.index ?? null, valAccuracy: bestOn?.objective ?? null },
        bestWithoutRule: { index: bestOff?.index ?? null, valAccuracy: bestOff?.objective ?? null },
        trials: on.trials.map((t, i) => ({ lr: t.params["training.learningRate"] as number, withRule: { status: t.result.status, stopReason: t.result.stopReason, epochs: cost(t.result), valAccuracy: t.objective }, withoutRule: { status: off.trials[i].result.status, stopReason: off.trials[i].result.stopReason, epochs: cost(off.trials[i].result), valAccuracy: off.trials[i].objective } })),
      };
    });
    const saved = per.reduce((n, p) => n + p.saved, 0);
    const total = per.reduce((n, p) => n + p.epochsWithoutRule, 0);
    const checks = [
      check("the rule stops high-learning-rate trials and saves epochs, on every seed", per.every((p) => p.stoppedBy3x > 0 && p.saved > 0), per.map((p) => `seed ${p.seed}: ${p.stoppedBy3x} stopped, ${p.saved} of ${p.epochsWithoutRule} epochs saved`).join("; ")),
      check("the best trial is the same with and without the rule, on every seed", per.every((p) => p.bestWithRule.index === p.bestWithoutRule.index && p.bestWithRule.valAccuracy === p.bestWithoutRule.valAccuracy),
        per.map((p) => `seed ${p.seed}: #${p.bestWithRule.index} (${p.bestWithRule.valAccuracy}) vs #${p.bestWithoutRule.index} (${p.bestWithoutRule.valAccuracy})`).join("; ")),
    ];
    const p0 = per[0];
    const svg = figure([
      (w, h) => linePanel({ title: `epochs run per trial vs learning rate, seed ${p0.seed}`, x: { label: "learning rate (log)", log: true }, y: { label: "epochs run", domain: [0, epochs + 1] },
        series: [{ label: "rule off (lossFactor 1e6)", points: p0.trials.map((t) => [t.lr, t.withoutRule.epochs] as const), dots: true, noLine: true }, { label: "3x rule", points: p0.trials.map((t) => [t.lr, t.withRule.epochs] as const), dots: true, noLine: true }] }, w, h),
      (w, h) => linePanel({ title: `val accuracy vs learning rate, seed ${p0.seed}`, x: { label: "learning rate (log)", log: true }, y: { label: "val accuracy (stopped: 0)", domain: [0, 1] },
        series: [{ label: "rule off", points: p0.trials.map((t) => [t.lr, t.withoutRule.valAccuracy ?? 0] as const), dots: true, noLine: true }, { label: "3x rule", points: p0.trials.map((t) => [t.lr, t.withRule.valAccuracy ?? 0] as const), dots: true, noLine: true }] }, w, h),
    ], {
      title: "Claim 9 — the 3x rule saves compute without losing the best trial",
      caption: `Random search, ${trials} trials, learning rate log-uniform 1e-3…30, spiral MLP 1×50, momentum SGD, ${epochs} epochs; packages/search planRound + core train() in-process. ${seeds.length} search seeds: ${saved} of ${total} epochs saved (${((100 * saved) / total).toFixed(0)}%); best trial unchanged in ${per.filter((p) => p.bestWithRule.index === p.bestWithoutRule.index).length}/${seeds.length}.`,
      columns: 2, panelWidth: 420, panelHeight: 290,
    });
    return {
      headline: `${saved} of ${total} epochs saved (${((100 * saved) / total).toFixed(0)}%), best trial unchanged in ${per.filter((p) => p.bestWithRule.index === p.bestWithoutRule.index).length}/${seeds.length} seeds`,
      checks,
      numbers: { seeds, epochs, trials, epochsSaved: saved, epochsWithoutRule: total, per: per.map((p) => ({ ...p, trials: p.trials.map((t) => ({ ...t, lr: r4(t.lr) })) })) },
      svg,
      method: "search + core (in-process, no HTTP)",
      seeds,
    };
  },
};
