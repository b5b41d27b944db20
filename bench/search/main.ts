/**
 * `pnpm bench:search [--quick] [--seeds 5] [--first-seed 1] [--problems mnist,spiral] [--trials 30]
 *                    [--epochs 4] [--concurrent 2] [--workers 2] [--optuna on|off] [--extra tpe-c2f,eta2,median] [--only NAME,…]`
 *
 * hps's strategies through the real product against Optuna 3.1 on the same problems, seeds and
 * epoch budget. Prints, per problem, mean and min best val accuracy and mean epochs per method.
 *
 * hps side: API + scheduler + `--workers` workers (stack.ts) on DATABASE_URL / REDIS_URL (a fresh
 * database and queue prefix, dropped at the end) or embedded when unset; every search is POSTed
 * with @hps/client and polled to completion; its best val accuracy and budget.epochsRun are read
 * from GET /v1/searches/:id. Each search has parallelism 1 (as each Optuna study runs one trial at
 * a time); `--concurrent` searches run at once so the workers are busy.
 * Optuna side (same run, at the same time): /usr/bin/python3 bench/search/optuna_search.py
 * (Debian's python3-optuna) driving the same core through bridge.ts. Accuracy and epochs do
 * not depend on speed, so sharing the CPU is harmless.
 *
 * Defaults are issue 7's setting: MNIST 3,000 train / 1,000 val and spiral, 5 seeds, 30 trials
 * of 4 epochs. `--quick`: 2 seeds, 12 trials of 3 epochs, MNIST 1,000 / 300 (a smoke run).
 * `--first-seed` picks the seeds (development used seeds ≥ 101; the reported table uses 1…5).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { HpsClient } from "@hps/client";
import type { SearchSpecInput } from "@hps/contracts";
import { problems } from "./problems.ts";
import { runApiSearch } from "./hps-api.ts";
import { startStack } from "./stack.ts";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    seeds: { type: "string" },
    "first-seed": { type: "string", default: "1" },
    problems: { type: "string", default: "mnist,spiral" },
    trials: { type: "string" },
    epochs: { type: "string" },
    concurrent: { type: "string", default: "2" },
    workers: { type: "string", default: "2" },
    optuna: { type: "string", default: "on" },
    extra: { type: "string", default: "" },
    only: { type: "string" },
  },
});
const quick = args.quick!;
const SEEDS = Number(args.seeds ?? (quick ? 2 : 5));
const FIRST_SEED = Number(args["first-seed"]);
const TRIALS = Number(args.trials ?? (quick ? 12 : 30));
const EPOCHS = Number(args.epochs ?? (quick ? 3 : 4));
const WANTED = args.problems!.split(",");
const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i);
const problemEnv = { ...process.env, BENCH_EPOCHS: String(EPOCHS), ...(quick ? { BENCH_MNIST_TRAIN: "1000", BENCH_MNIST_VAL: "300" } : {}) };

const asha = { type: "asha", minEpochs: 1, reductionFactor: 3 } as const;
const coarse = Math.round(TRIALS * 0.8);
const fine = Math.round(TRIALS / 4);
/** hps strategies; coarse-to-fine: a cheap wide round of 1-epoch trials, then a narrowed one of full trials. */
const STRATEGIES: Array<[string, SearchSpecInput["strategy"]]> = [
  ["hps random", { type: "random", trials: TRIALS, parallelism: 1 }],
  [`hps coarse-to-fine ${coarse}×1 ep → ${fine}×${EPOCHS} ep`, { type: "random", trials: TRIALS, parallelism: 1, rounds: [{ trials: coarse, epochs: 1 }, { trials: fine, epochs: EPOCHS }] }],
  ["hps random + ASHA", { type: "random", trials: TRIALS, parallelism: 1, pruner: asha }],
  ["hps tpe", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10 }],
  ["hps tpe + ASHA", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, pruner: asha }],
];
/** --extra (a comma list, or "all"): combinations beyond issue 7's list. */
const EXTRA: Record<string, [string, SearchSpecInput["strategy"]]> = {
  "tpe-c2f": [`hps tpe coarse-to-fine ${coarse}×1 ep → ${fine}×${EPOCHS} ep`, { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, rounds: [{ trials: coarse, epochs: 1 }, { trials: fine, epochs: EPOCHS }] }],
  eta2: ["hps tpe + ASHA (η 2)", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, pruner: { type: "asha", minEpochs: 1, reductionFactor: 2 } }],
  median: ["hps tpe + median", { type: "tpe", trials: TRIALS, parallelism: 1, startupTrials: 10, pruner: { type: "median", warmupEpochs: 1, minTrials: 5 } }],
};
for (const key of args.extra === "all" ? Object.keys(EXTRA) : args.extra!.split(",").filter(Boolean)) {
  if (!EXTRA[key]) throw new Error(`--extra: unknown ${key} (known: ${Object.keys(EXTRA).join(", ")}, all)`);
  STRATEGIES.push(EXTRA[key]);
}
const only = args.only?.split(",");
const chosen = STRATEGIES.filter(([m]) => !only || only.some((o) => m.includes(o)));

interface Row {
  problem: string;
  method: string;
  seed: number;
  best: number | null;
  epochs: number;
}
const rows: Row[] = [];
const started = Date.now();

const optuna =
  args.optuna === "off"
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        const py = spawn("/usr/bin/python3", ["bench/search/optuna_search.py", WANTED.join(","), seeds.join(","), String(TRIALS), String(EPOCHS)], {
          stdio: ["ignore", "pipe", "inherit"],
          env: problemEnv,
        });
        createInterface({ input: py.stdout }).on("line", (l) => {
          const r = JSON.parse(l) as Row;
          rows.push(r);
          console.error(`${r.problem} ${r.method} seed ${r.seed}: best ${r.best}, ${r.epochs} epochs`);
        });
        py.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`optuna_search.py exited with ${code}`))));
      });

const stack = await startStack({ workers: Number(args.workers) });
console.error(`hps: ${stack.mode}, API at ${stack.url}`);
const client = new HpsClient({ baseUrl: stack.url });
try {
  const jobs = problems(problemEnv)
    .filter((p) => WANTED.includes(p.name))
    .flatMap((problem) => seeds.flatMap((seed) => chosen.map(([method, strategy]) => ({ problem, seed, method, strategy }))));
  let next = 0;
  const lane = async () => {
    for (let j = jobs[next++]; j; j = jobs[next++]) {
      const spec: SearchSpecInput = { ...j.problem.base, seed: j.seed, strategy: j.strategy };
      const o = await runApiSearch(client, spec);
      rows.push({ problem: j.problem.name, method: j.method, seed: j.seed, best: o.best, epochs: o.epochs });
      console.error(`${j.problem.name} ${j.method} seed ${j.seed}: best ${o.best}, ${o.epochs} epochs (${o.trials} trials, ${o.pruned} pruned, ${o.diverged} diverged)`);
    }
  };
  await Promise.all(Array.from({ length: Number(args.concurrent) }, lane));
  await optuna;
} finally {
  await stack.close();
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\nseeds ${seeds.join(",")}, ${TRIALS} trials of ${EPOCHS} epochs (or the rounds shown), parallelism 1; hps through the API (${stack.mode}); ${((Date.now() - started) / 60000).toFixed(1)} min`);
for (const problem of WANTED) {
  console.log(`\n### ${problem}\n| method | mean best val accuracy | min best val accuracy | mean epochs trained |\n|---|---|---|---|`);
  const methods = [...new Set(rows.filter((r) => r.problem === problem).map((r) => r.method))].sort((a, b) => (a.startsWith("optuna") ? 1 : 0) - (b.startsWith("optuna") ? 1 : 0));
  for (const m of methods) {
    const rs = rows.filter((r) => r.problem === problem && r.method === m);
    const best = rs.map((r) => r.best ?? 0);
    console.log(`| ${m} | ${mean(best).toFixed(4)} | ${Math.min(...best).toFixed(4)} | ${mean(rs.map((r) => r.epochs)).toFixed(1)} |`);
  }
}
process.exit(0);
