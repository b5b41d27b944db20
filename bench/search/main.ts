/**
 * `pnpm bench:search`: hps strategies against Optuna 3.1 on the same problems, seeds and epoch
 * budget. Prints, per problem, mean and min best val accuracy and mean epochs per method.
 *
 * Environment (defaults = issue 7's setting): BENCH_SEEDS 5, BENCH_TRIALS 30, BENCH_EPOCHS 4,
 * BENCH_PROBLEMS mnist,spiral, BENCH_MNIST_TRAIN 3000 / BENCH_MNIST_VAL 1000,
 * BENCH_OPTUNA=0 skips Optuna (needs `apt-get install -y python3-optuna`, /usr/bin/python3).
 * The hps side drives packages/search + core in process (see hps-search.ts), the Optuna side
 * drives the same core through bridge.ts; both run at the same time (accuracy and epochs do
 * not depend on speed).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { SearchSpecInput } from "@hps/contracts";
import { problems, specFor } from "./problems.ts";
import { runHpsSearch } from "./hps-search.ts";

const SEEDS = Number(process.env.BENCH_SEEDS ?? 5);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 30);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 4);
const WANTED = (process.env.BENCH_PROBLEMS ?? "mnist,spiral").split(",");
const asha = { type: "asha", minEpochs: 1, reductionFactor: 3 } as const;

/** hps strategies; coarse-to-fine: a cheap wide round of 1-epoch trials, then a narrowed one of full trials. */
const STRATEGIES: Array<[string, SearchSpecInput["strategy"]]> = [
  ["hps random", { type: "random", trials: TRIALS, parallelism: 1 }],
  [
    `hps coarse-to-fine ${Math.round(TRIALS * 0.8)}×1 ep → ${Math.round(TRIALS / 4)}×${EPOCHS} ep`,
    { type: "random", trials: TRIALS, parallelism: 1, rounds: [{ trials: Math.round(TRIALS * 0.8), epochs: 1 }, { trials: Math.round(TRIALS / 4), epochs: EPOCHS }] },
  ],
  ["hps random + ASHA", { type: "random", trials: TRIALS, parallelism: 1, pruner: asha }],
  ["hps tpe", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10 }],
  ["hps tpe + ASHA", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, pruner: asha }],
];
/** BENCH_EXTRA=1: combinations beyond issue 7's list. */
if (process.env.BENCH_EXTRA === "1")
  STRATEGIES.push(
    [
      `hps tpe coarse-to-fine ${Math.round(TRIALS * 0.8)}×1 ep → ${Math.round(TRIALS / 4)}×${EPOCHS} ep`,
      { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, rounds: [{ trials: Math.round(TRIALS * 0.8), epochs: 1 }, { trials: Math.round(TRIALS / 4), epochs: EPOCHS }] },
    ],
    ["hps tpe + ASHA (η 2)", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, pruner: { type: "asha", minEpochs: 1, reductionFactor: 2 } }],
    ["hps tpe + median", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, pruner: { type: "median", warmupEpochs: 1, minTrials: 5 } }],
  );

interface Row {
  problem: string;
  method: string;
  seed: number;
  best: number | null;
  epochs: number;
}
const rows: Row[] = [];

const optuna =
  process.env.BENCH_OPTUNA === "0"
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        const py = spawn("/usr/bin/python3", ["bench/search/optuna_search.py", WANTED.join(","), String(SEEDS), String(TRIALS), String(EPOCHS)], {
          stdio: ["ignore", "pipe", "inherit"],
          env: { ...process.env, BENCH_EPOCHS: String(EPOCHS) },
        });
        createInterface({ input: py.stdout }).on("line", (l) => {
          const r = JSON.parse(l) as Row;
          rows.push(r);
          console.error(`${r.problem} ${r.method} seed ${r.seed}: best ${r.best}, ${r.epochs} epochs`);
        });
        py.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`optuna_search.py exited with ${code}`))));
      });

const started = Date.now();
// Let the Optuna process start first; then the hps searches run here, one after another.
await new Promise((r) => setTimeout(r, 100));
for (const problem of problems({ ...process.env, BENCH_EPOCHS: String(EPOCHS) }).filter((p) => WANTED.includes(p.name))) {
  for (let seed = 1; seed <= SEEDS; seed++) {
    for (const [method, strategy] of STRATEGIES.filter(([m]) => !process.env.BENCH_ONLY_EXTRA || !["hps random", "hps random + ASHA", "hps tpe", "hps tpe + ASHA"].includes(m) && !m.startsWith("hps coarse"))) {
      const o = runHpsSearch(specFor(problem, seed, strategy), EPOCHS);
      rows.push({ problem: problem.name, method, seed, best: o.best, epochs: o.epochs });
      console.error(`${problem.name} ${method} seed ${seed}: best ${o.best}, ${o.epochs} epochs (${o.pruned} pruned, ${o.diverged} diverged)`);
    }
  }
}
await optuna;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\n${SEEDS} seeds, ${TRIALS} trials of ${EPOCHS} epochs (or the rounds shown), parallelism 1; ${((Date.now() - started) / 60000).toFixed(1)} min`);
for (const problem of WANTED) {
  console.log(`\n### ${problem}\n| method | mean best val accuracy | min best val accuracy | mean epochs trained |\n|---|---|---|---|`);
  const methods = [...new Set(rows.filter((r) => r.problem === problem).map((r) => r.method))];
  for (const m of methods) {
    const rs = rows.filter((r) => r.problem === problem && r.method === m);
    const best = rs.map((r) => r.best ?? 0);
    console.log(`| ${m} | ${mean(best).toFixed(4)} | ${Math.min(...best).toFixed(4)} | ${mean(rs.map((r) => r.epochs)).toFixed(1)} |`);
  }
}
