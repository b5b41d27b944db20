import type { SearchDetail, SearchSpecInput, Trial } from "@hps/contracts";
import { allTrials } from "../api-trials.ts";
import { check, type Claim, type Scale } from "../claim.ts";
import { runSearches } from "../product.ts";
import { mean, r4, range } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

/**
 * Claim 8 (Bergstra & Bengio 2012): with 9 trials over two parameters of which one does not matter,
 * random search beats a 3×3 grid, because it tries 9 distinct values of the one that matters instead
 * of 3. Important: the learning rate (log-uniform 1e-3…10); unimportant: L2 in 1e-7…1e-6, far too weak
 * to change a spiral MLP (the figure shows it). Through the public API: per seed a grid search and a
 * random search are POSTed to the product (@hps/client) and their trials read back; each search seed
 * changes the data split, the init and the random draws; the grid's points stay put. Measured: the val
 * accuracy of each search's best trial (rank 1, as the API ranks it).
 */
export const randomVsGrid: Claim = {
  id: 8,
  slug: "random-vs-grid",
  api: true,
  title: "Random search beats grid search when one parameter does not matter",
  async run(scale: Scale, ctx) {
    const quick = scale === "quick";
    const seeds = range(quick ? 3 : 20);
    const epochs = quick ? 10 : 20;
    const spec = (seed: number, strategy: SearchSpecInput["strategy"], name: string): SearchSpecInput => ({
      name: `claim8-${name}-seed${seed}`,
      seed,
      dataset: { name: "spiral", trainSize: 300, valSize: 300 },
      model: { hidden: [50], activation: "relu", init: "he" },
      training: { epochs, batchSize: 32, optimizer: "sgd" },
      space: {
        "training.learningRate": { type: "loguniform", low: 1e-3, high: 10, points: 3 },
        "training.l2": { type: "loguniform", low: 1e-7, high: 1e-6, points: 3 },
      },
      strategy,
      objective: { metric: "valAccuracy", goal: "maximize" },
    });
    const { client } = await ctx.product();
    const specs = seeds.flatMap((seed) => [spec(seed, { type: "grid", parallelism: 3 }, "grid"), spec(seed, { type: "random", trials: 9, parallelism: 3 }, "random")]);
    const searches = await runSearches(client, specs);
    const point = (t: Trial) => ({ lr: t.params["training.learningRate"] as number, l2: t.params["training.l2"] as number, status: t.status, rank: t.rank, valAccuracy: t.metrics?.valAccuracy ?? null });
    const read = async (s: SearchDetail) => ({ searchId: s.id, best: s.best?.metrics?.valAccuracy ?? 0, trials: (await allTrials(client, s.id)).map(point) });
    type Point = ReturnType<typeof point>;
    const per: { seed: number; grid: number; random: number; gridSearchId: string; randomSearchId: string; gridTrials: Point[]; randomTrials: Point[] }[] = [];
    for (const [i, seed] of seeds.entries()) {
      const grid = await read(searches[2 * i]);
      const random = await read(searches[2 * i + 1]);
      per.push({ seed, grid: grid.best, random: random.best, gridSearchId: grid.searchId, randomSearchId: random.searchId, gridTrials: grid.trials, randomTrials: random.trials });
    }
    const wins = per.filter((p) => p.random > p.grid).length;
    const ties = per.filter((p) => p.random === p.grid).length;
    const mGrid = mean(per.map((p) => p.grid));
    const mRandom = mean(per.map((p) => p.random));
    const distinct = (xs: number[]) => new Set(xs.map((x) => x.toPrecision(6))).size;
    const nTrials = (ts: { length: number }[]) => ts.every((t) => t.length === 9);
    const checks = [
      check("each search ran 9 trials", nTrials(per.map((p) => p.gridTrials)) && nTrials(per.map((p) => p.randomTrials)), `grid ${per.map((p) => p.gridTrials.length).join(",")}; random ${per.map((p) => p.randomTrials.length).join(",")}`),
      check("random tries more distinct learning rates than the grid", distinct(per[0].randomTrials.map((t) => t.lr)) > distinct(per[0].gridTrials.map((t) => t.lr)),
        `seed 0: random ${distinct(per[0].randomTrials.map((t) => t.lr))} vs grid ${distinct(per[0].gridTrials.map((t) => t.lr))} distinct learning rates in 9 trials`),
      check("random search's best val accuracy beats the grid's, on average over seeds", mRandom > mGrid, `mean best val accuracy random ${mRandom.toFixed(4)} vs grid ${mGrid.toFixed(4)}; random better in ${wins}/${seeds.length} seeds, tied in ${ties}`),
    ];
    const p0 = per[0];
    const acc = (t: { valAccuracy: number | null }) => t.valAccuracy ?? 0;
    const svg = figure([
      (w, h) => linePanel({ title: `val accuracy vs learning rate, seed ${p0.seed}`, x: { label: "learning rate (log)", log: true }, y: { label: "val accuracy", domain: [0, 1] },
        series: [{ label: "grid (3 lrs × 3 l2)", points: p0.gridTrials.map((t) => [t.lr, acc(t)] as const), dots: true, noLine: true }, { label: "random (9 trials)", points: p0.randomTrials.map((t) => [t.lr, acc(t)] as const), dots: true, noLine: true }] }, w, h),
      (w, h) => linePanel({ title: "val accuracy vs l2 (the parameter that does not matter)", x: { label: "l2 (log)", log: true }, y: { label: "val accuracy", domain: [0, 1] },
        series: [{ label: "grid", points: p0.gridTrials.map((t) => [t.l2, acc(t)] as const), dots: true, noLine: true }, { label: "random", points: p0.randomTrials.map((t) => [t.l2, acc(t)] as const), dots: true, noLine: true }] }, w, h),
      (w, h) => linePanel({ title: "best val accuracy per search seed", x: { label: "search seed" }, y: { label: "best val accuracy" },
        series: [{ label: `grid (mean ${mGrid.toFixed(3)})`, points: per.map((p) => [p.seed, p.grid] as const), dots: true }, { label: `random (mean ${mRandom.toFixed(3)})`, points: per.map((p) => [p.seed, p.random] as const), dots: true }] }, w, h),
    ], {
      title: "Claim 8 — random search vs grid search (9 trials, one parameter unimportant)",
      caption: `Spiral (300 train / 300 val), MLP 1×50 ReLU, SGD, batch 32, ${epochs} epochs; space learning rate log-uniform 1e-3…10 × L2 log-uniform 1e-7…1e-6; grid = 3 log-spaced points each, random = 9 draws. Through the public API: ${specs.length} searches POSTed to the product, trials read back with @hps/client; best = the search's rank-1 trial. ${seeds.length} search seeds (0–${seeds.length - 1}); trials of a search share its seed. Random better in ${wins}/${seeds.length}, tied ${ties}.`,
      columns: 3, panelWidth: 340, panelHeight: 270,
    });
    return {
      headline: `mean best val accuracy: random ${mRandom.toFixed(3)} vs grid ${mGrid.toFixed(3)} (random better in ${wins}/${seeds.length} seeds)`,
      checks,
      numbers: { seeds, epochs, meanBest: { grid: r4(mGrid), random: r4(mRandom) }, randomWins: wins, ties, per: per.map((p) => ({ ...p, grid: r4(p.grid), random: r4(p.random), gridTrials: p.gridTrials.map(rounded), randomTrials: p.randomTrials.map(rounded) })) },
      svg,
      method: "public API (product on an ephemeral port, @hps/client)",
      seeds,
    };
  },
};

function rounded<T extends { lr: number; l2: number; valAccuracy: number | null }>(t: T): T {
  return { ...t, lr: r4(t.lr)!, l2: r4(t.l2)!, valAccuracy: r4(t.valAccuracy) };
}
