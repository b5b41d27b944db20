/**
 * Why coarse-to-fine narrowing did not beat random search, measured on a
 * synthetic, MNIST-like objective (no training: thousands of searches in
 * seconds). `pnpm tsx bench/search/narrowing.ts [searches]`.
 *
 * The objective (val accuracy, maximised) over a 5-D space shaped like issue 7's:
 *   learningRate loguniform [1e-4, 1]: peaked at 0.05 (−0.06 per squared decade);
 *                                       diverges when lr·√(1/(1 − momentum)) > 1.2
 *   momentum     uniform [0.5, 0.99]:  mild, best near 0.9
 *   l2           loguniform [1e-5, 0.1]: flat up to 3e-3, −0.03 per decade above
 *   dropout      uniform [0, 0.5]:     −0.02 per unit (barely matters)
 *   hidden       choice [32, 64, 128]: ±0.005 (barely matters)
 * plus Gaussian noise σ = 0.004 per trial (what seeds do to a real run).
 * Methods: random (30 trials), coarse-to-fine 2 × 15 with TopFractionNarrower
 * (the old default) and with ImportanceNarrower (the new one), same seeds.
 */
import { SearchSpec, type Assignment, type Space } from "@hps/contracts";
import { ImportanceNarrower, mulberry32, planNextSpace, planRound, RandomSampler, TopFractionNarrower, type Narrower, type RoundTrial } from "@hps/search";

const NOISE = Number(process.env.NOISE ?? 0.004);
const SPACE: Space = {
  "training.learningRate": { type: "loguniform", low: 1e-4, high: 1 },
  "training.momentum": { type: "uniform", low: 0.5, high: 0.99 },
  "training.l2": { type: "loguniform", low: 1e-5, high: 0.1 },
  "model.dropout": { type: "uniform", low: 0, high: 0.5 },
  "model.hidden": { type: "choice", values: [[32], [64], [128]] },
};

function truth(p: Assignment): number | null {
  const lr = p["training.learningRate"] as number;
  const mom = p["training.momentum"] as number;
  if (lr * Math.sqrt(1 / (1 - mom)) > 1.2) return null; // diverged
  // INTERACT=1: what matters is the effective step lr/(1 − momentum) (SGD with momentum), not lr alone.
  const dl = process.env.INTERACT ? Math.log10(lr / (1 - mom)) - Math.log10(0.5) : Math.log10(lr) - Math.log10(0.05);
  const l2 = Math.max(0, Math.log10(p["training.l2"] as number) - Math.log10(3e-3));
  const h = (p["model.hidden"] as number[])[0]!;
  return 0.95 - 0.06 * dl * dl - 0.1 * (mom - 0.9) ** 2 - 0.03 * l2 - 0.02 * (p["model.dropout"] as number) + (h === 128 ? 0.005 : h === 32 ? -0.005 : 0);
}

interface Outcome {
  bestObserved: number;
  bestTrue: number;
  diverged: number;
  /** Round-2 facts (coarse-to-fine only). */
  lrExcludesOptimum?: boolean;
  lrWidth?: number;
  unimportantWidth?: number;
  widenedUnimportant?: boolean;
  choiceLost?: boolean;
}

function spec(seed: number, rounds: number, trials: number) {
  return SearchSpec.parse({ seed, dataset: { name: "mnist" }, space: SPACE, strategy: { type: "random", trials, rounds, keepFraction: 0.25 } });
}

function score(params: Assignment[], seed: number, round: number): RoundTrial[] {
  const noise = mulberry32(seed * 7919 + round);
  return params.map((p, i) => {
    const t = truth(p);
    const z = Math.sqrt(-2 * Math.log(1 - noise.next())) * Math.cos(2 * Math.PI * noise.next());
    return t === null
      ? { id: `r${round}-${String(i).padStart(3, "0")}`, status: "stopped", stopReason: "loss_exploded", params: p, objective: null }
      : { id: `r${round}-${String(i).padStart(3, "0")}`, status: "completed", params: p, objective: t + NOISE * z };
  });
}

function outcome(all: RoundTrial[]): Pick<Outcome, "bestObserved" | "bestTrue" | "diverged"> {
  const done = all.filter((t) => t.objective !== null).sort((a, b) => b.objective! - a.objective!);
  return { bestObserved: done[0]?.objective ?? 0, bestTrue: done[0] ? truth(done[0].params)! : 0, diverged: all.length - done.length };
}

function runRandom(seed: number): Outcome {
  return outcome(score(new RandomSampler().sample(SPACE, { seed, round: 0, count: 30 }), seed, 0));
}

function runCoarseToFine(seed: number, narrower: Narrower): Outcome {
  const s = spec(seed, 2, 15);
  const r0 = score(planRound(s, 0, SPACE, seed), seed, 0);
  const next = planNextSpace(s, SPACE, r0, { narrower });
  const r1 = score(planRound(s, 1, next.space, seed), seed, 1);
  const lr = next.space["training.learningRate"] as { low: number; high: number };
  const width = (p: string) => {
    const d = next.space[p] as { low: number; high: number };
    const o = SPACE[p] as { low: number; high: number; type: string };
    return o.type === "loguniform" ? Math.log(d.high / d.low) / Math.log(o.high / o.low) : (d.high - d.low) / (o.high - o.low);
  };
  const l2 = next.space["training.l2"] as { low: number; high: number };
  return {
    ...outcome([...r0, ...r1]),
    lrExcludesOptimum: !(lr.low <= 0.05 && lr.high >= 0.05),
    lrWidth: width("training.learningRate"),
    unimportantWidth: (width("training.l2") + width("model.dropout")) / 2,
    widenedUnimportant: l2.low < 1e-5 || l2.high > 0.1,
    choiceLost: (next.space["model.hidden"] as { values: unknown[] }).values.length < 3,
  };
}

const n = Number(process.argv[2] ?? 300);
const seeds = Array.from({ length: n }, (_, i) => i + 1);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const share = (xs: boolean[]) => `${((100 * xs.filter(Boolean).length) / xs.length).toFixed(0)}%`;
const methods: Array<[string, (s: number) => Outcome]> = [
  ["random, 30 trials", runRandom],
  ["coarse-to-fine 2×15, TopFractionNarrower", (s) => runCoarseToFine(s, new TopFractionNarrower())],
  ["coarse-to-fine 2×15, ImportanceNarrower", (s) => runCoarseToFine(s, new ImportanceNarrower())],
  ...(process.env.VARIANTS ? (JSON.parse(process.env.VARIANTS) as object[]).map((o): [string, (s: number) => Outcome] => [`ImportanceNarrower ${JSON.stringify(o)}`, (s) => runCoarseToFine(s, new ImportanceNarrower(o))]) : []),
];
console.log(`${n} searches per method; synthetic objective (see header); noise σ ${NOISE}`);
console.log("| method | mean best observed | mean true value of the chosen best | diverged trials | round 2: lr range misses optimum | lr width | round 2: mean width of l2, dropout | l2 widened past its range | a hidden value dropped |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const [name, run] of methods) {
  const o = seeds.map(run);
  const c = o[0]!.unimportantWidth !== undefined;
  console.log(
    `| ${name} | ${mean(o.map((x) => x.bestObserved)).toFixed(4)} | ${mean(o.map((x) => x.bestTrue)).toFixed(4)} | ${mean(o.map((x) => x.diverged)).toFixed(1)} | ` +
      (c ? `${share(o.map((x) => x.lrExcludesOptimum!))} | ${mean(o.map((x) => x.lrWidth!)).toFixed(2)} | ${mean(o.map((x) => x.unimportantWidth!)).toFixed(2)} | ${share(o.map((x) => x.widenedUnimportant!))} | ${share(o.map((x) => x.choiceLost!))} |` : "– | – | – | – | – |"),
  );
}
