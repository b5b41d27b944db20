import type { HpsClient } from "@hps/client";
import type { SearchDetail, SearchSpecInput, TrialWithCurve } from "@hps/contracts";
import { mnistAll, Rng } from "@hps/core";
import { check, type Claim, type Scale } from "../claim.ts";
import { runSearches } from "../product.ts";
import { mean, r4 } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

const PIXELS = 28 * 28;

/** The mnist rows in one fixed shuffled order: the tasks' source and target sets are disjoint slices of it. */
function mnistOrder(): Int32Array {
  const order = Int32Array.from(mnistAll().Y.keys());
  new Rng(14).shuffle(order);
  return order;
}

/**
 * A CSV of the mnist rows `rows` (784 pixel columns p0…p783 and a label column "label" = label(digit)):
 * the product's own upload format (POST /v1/datasets), so an experiment can pretrain on one task and
 * fine-tune on another — the built-in mnist has neither digit filters nor other labels.
 */
export function mnistCsv(rows: ArrayLike<number>, label: (digit: number) => string): string {
  const { X, Y } = mnistAll();
  const lines = [`${Array.from({ length: PIXELS }, (_, j) => `p${j}`).join(",")},label`];
  for (const r of Array.from(rows)) {
    const px = X.subarray(r * PIXELS, (r + 1) * PIXELS);
    lines.push(`${Array.from(px, (v) => (v === 0 ? "0" : String(Number(v.toFixed(3))))).join(",")},${label(Y[r])}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A transfer task: where the stored trial learns, where it is fine-tuned (disjoint rows). */
interface Task {
  key: "newTask" | "newDigits";
  title: string;
  /** For panel titles. */
  short: string;
  /** Source rows (pretrain train + val) and target rows (the largest n + val), by digit. */
  split(order: Int32Array, sourceCount: number, targetCount: number): { source: number[]; target: number[] };
  sourceLabel(d: number): string;
  targetLabel(d: number): string;
}

const digitsOf = (order: Int32Array, keep: (d: number) => boolean) => Array.from(order).filter((r) => keep(mnistAll().Y[r]));

const TASKS: Task[] = [
  {
    key: "newTask",
    title: "odd vs even, unseen digits (pretrained: which digit, 0–9)",
    short: "odd vs even (from digit 0–9)",
    split: (order, s, t) => ({ source: Array.from(order.subarray(0, s)), target: Array.from(order.subarray(s, s + t)) }),
    sourceLabel: (d) => String(d),
    targetLabel: (d) => (d % 2 ? "odd" : "even"),
  },
  {
    key: "newDigits",
    title: "digits 6–9 (pretrained: digits 0–5)",
    short: "digits 6–9 (from 0–5)",
    split: (order, s, t) => ({ source: digitsOf(order, (d) => d <= 5).slice(0, s), target: digitsOf(order, (d) => d >= 6).slice(0, t) }),
    sourceLabel: (d) => String(d),
    targetLabel: (d) => String(d),
  },
];

/** One arm on the target task: from scratch, or fine-tuned from the stored trial (lr = the stored trial's × lrFactor). */
interface Arm {
  key: "scratch" | "fineTuned" | "fineTunedSameRate" | "linearProbe" | "probeThenFineTune" | "controlRecipe";
  label: string;
  lrFactor: number;
  /** Leading weight layers frozen; absent: from scratch. */
  freeze?: "none" | "features";
  /** Two chained trials (probe E/2, then everything at lr ÷ 10 for E/2). */
  recipe?: boolean;
  /** Fine-tuned from the untrained trial (its init: the control that the stored features are what helps). */
  untrained?: boolean;
}

const ARMS: Arm[] = [
  { key: "scratch", label: "from scratch, lr", lrFactor: 1 },
  { key: "fineTuned", label: "fine-tuned, lr ÷ 10", lrFactor: 0.1, freeze: "none" },
  { key: "fineTunedSameRate", label: "fine-tuned, lr", lrFactor: 1, freeze: "none" },
  { key: "linearProbe", label: "linear probe (features frozen), lr", lrFactor: 1, freeze: "features" },
  { key: "probeThenFineTune", label: "probe ½ budget, then fine-tuned lr ÷ 10 ½", lrFactor: 1, freeze: "features", recipe: true },
  { key: "controlRecipe", label: "the same from an untrained trial (control)", lrFactor: 1, freeze: "features", recipe: true, untrained: true },
];

/**
 * Claim 14 (transfer learning, CS231n lecture 7), through the public API. Per task and seed: a search on
 * a large source set (uploaded CSV) picks and trains the stored trial (rank 1 of a grid over the learning
 * rate); then on a small target set of n train digits (n = 20, 40, 100) searches are POSTed with
 * model.initFrom = that trial's id, against from scratch at the stored trial's rate lr, all with the same
 * budget: E epochs at batch n/4 (4 Adam steps per epoch at every n). The arms: fine-tuned at lr ÷ 10 (the
 * issue's wording), at lr, a linear probe (all but the classifier frozen, lr), and the lecture's recipe for a
 * small dataset — train the new classifier on the frozen features first, then fine-tune everything at
 * lr ÷ 10 — as two chained trials (E/2 epochs each; the second's model.initFrom is the first's id).
 * Control: the same recipe from an untrained trial of the same architecture (1 epoch at lr 1e-12), so
 * that a linear classifier on frozen random features — itself a regulariser on 20 digits — is not
 * mistaken for transfer.
 * The output layer starts fresh (other class count). All sets are zero-centred; a fine-tune trial's
 * inputs go through the stored trial's statistics. Measured: each trial's final val accuracy (1,000 other
 * target digits) as the API returns it. Asserted on the similar-domain task (odd vs even of unseen digits,
 * pretrained on which digit): the recipe beats scratch and its control. Reported: everything else (see the README).
 */
export const fineTune: Claim = {
  id: 14,
  slug: "fine-tune",
  api: true,
  title: "Fine-tuning a stored trial beats training from scratch on a small dataset",
  async run(scale: Scale, ctx) {
    const quick = scale === "quick";
    const seeds = quick ? [0] : [0, 1, 2];
    const sizes = quick ? [20] : [20, 40, 100];
    const tasks = quick ? TASKS.slice(0, 1) : TASKS;
    const epochs = quick ? 20 : 50;
    const pretrain = quick ? { trainSize: 1000, valSize: 200, epochs: 5 } : { trainSize: 3000, valSize: 500, epochs: 10 };
    const valSize = quick ? 300 : 1000;
    const model = { type: "mlp" as const, hidden: [256], activation: "relu" as const, init: "he" as const };
    const features = model.hidden.length; // weight layers below the classifier
    const { client } = await ctx.product();
    const order = mnistOrder();
    const data = [];
    for (const task of tasks) {
      const rows = task.split(order, pretrain.trainSize + pretrain.valSize, Math.max(...sizes) + valSize);
      const up = (r: number[], label: (d: number) => string, name: string) => client.uploadDataset(mnistCsv(r, label), { name: `claim14 ${task.key} ${name}`, label: "label", shape: [1, 28, 28] });
      data.push({ task, source: await up(rows.source, task.sourceLabel, "source"), target: await up(rows.target, task.targetLabel, "target") });
    }
    const base = (seed: number, datasetId: string, trainSize: number, vs: number) => ({ seed, dataset: { name: "uploaded" as const, id: datasetId, trainSize, valSize: vs, preprocess: "zero_center" as const }, objective: { metric: "valAccuracy" as const, goal: "maximize" as const } });

    // 1. The stored trials: per task and seed, the best of a learning-rate grid on the source set.
    const pre = data.flatMap((d) => seeds.map((seed) => ({ d, seed })));
    const preSearches = await runSearches(client, pre.map(({ d, seed }): SearchSpecInput => ({
      ...base(seed, d.source.id, pretrain.trainSize, pretrain.valSize),
      name: `claim14-${d.task.key}-pretrain-seed${seed}`,
      model,
      training: { epochs: pretrain.epochs, batchSize: 64, optimizer: "adam" },
      space: { "training.learningRate": { type: "choice", values: [3e-4, 1e-3, 3e-3] } },
      strategy: { type: "grid", parallelism: 3 },
    })));
    // The control's start: per task and seed a trial of the same architecture that has not learned (1 epoch at lr 1e-12: its init).
    const untrained = await runSearches(client, pre.map(({ d, seed }): SearchSpecInput => ({
      ...base(seed, d.source.id, pretrain.trainSize, pretrain.valSize),
      name: `claim14-${d.task.key}-untrained-seed${seed}`,
      model,
      training: { epochs: 1, batchSize: 64, optimizer: "adam", learningRate: 1e-12 },
      strategy: { type: "random", trials: 1, parallelism: 1 },
    })));
    const stored = pre.map((p, i) => ({ task: p.d.task.key, seed: p.seed, trialId: preSearches[i].best!.id, untrainedId: untrained[i].best!.id, lr: preSearches[i].best!.params["training.learningRate"] as number, valAccuracy: preSearches[i].best!.metrics?.valAccuracy ?? null, untrainedValAccuracy: untrained[i].best!.metrics?.valAccuracy ?? null }));

    // 2. Every arm on the target set (the recipe's first half: the probe for E/2 epochs).
    const cells = pre.flatMap(({ d, seed }, i) => sizes.flatMap((n) => ARMS.map((arm) => ({ d, seed, n, arm, st: stored[i] }))));
    const spec = (c: (typeof cells)[number], over: { epochs: number; lr: number; initFrom?: { trialId: string; freezeLayers: number }; stage?: string }): SearchSpecInput => ({
      ...base(c.seed, c.d.target.id, c.n, valSize),
      name: `claim14-${c.d.task.key}-${c.arm.key}${over.stage ?? ""}-n${c.n}-seed${c.seed}`,
      model: { ...model, ...(over.initFrom ? { initFrom: over.initFrom } : {}) },
      training: { epochs: over.epochs, batchSize: c.n / 4, optimizer: "adam", learningRate: over.lr },
      strategy: { type: "random", trials: 1, parallelism: 1 },
      // The 3x rule off for every arm (NaN/Inf still stop): its reference is the loss of the first
      // mini-batch, here n/4 = 5 digits, and a fine-tuned start's fresh classifier has batch losses
      // far apart — the full run's first attempt saw it stop the fine-tuned (lr ÷ 10) trial at n = 20.
      earlyStopping: { lossFactor: 1e6 },
    });
    const first = await runSearches(client, cells.map((c) => spec(c, {
      epochs: c.arm.recipe ? epochs / 2 : epochs,
      lr: c.st.lr * c.arm.lrFactor,
      ...(c.arm.freeze ? { initFrom: { trialId: c.arm.untrained ? c.st.untrainedId : c.st.trialId, freezeLayers: c.arm.freeze === "features" ? features : 0 } } : {}),
      ...(c.arm.recipe ? { stage: "-probe" } : {}),
    })));
    const firstTrials = await Promise.all(first.map((s) => trialOf(client, s)));
    // 3. The recipe's second half: everything fine-tuned at lr ÷ 10 from the probe trial (same class count: its classifier is kept).
    const recipe = cells.flatMap((c, i) => (c.arm.recipe ? [{ c, i }] : []));
    const second = await runSearches(client, recipe.map(({ c, i }) => spec(c, { epochs: epochs / 2, lr: c.st.lr / 10, initFrom: { trialId: firstTrials[i].id, freezeLayers: 0 }, stage: "-finetune" })));
    const secondTrials = await Promise.all(second.map((s) => trialOf(client, s)));

    const curveOf = (i: number) => {
      const r = recipe.findIndex((x) => x.i === i);
      const a = firstTrials[i].curve.map((p) => p.valAccuracy ?? 0);
      return r < 0 ? a : [...a, ...secondTrials[r].curve.map((p) => p.valAccuracy ?? 0)];
    };
    const at = (task: Task["key"], seed: number, n: number, key: Arm["key"]) => cells.findIndex((c) => c.d.task.key === task && c.seed === seed && c.n === n && c.arm.key === key);
    const final = (task: Task["key"], seed: number, n: number, key: Arm["key"]) => curveOf(at(task, seed, n, key)).at(-1) ?? 0;
    const summary = tasks.map((task) => ({
      task: task.key,
      title: task.title,
      short: task.short,
      bySize: sizes.map((n) => ({
        n,
        ...(Object.fromEntries(ARMS.map((a) => [a.key, mean(seeds.map((s) => final(task.key, s, n, a.key)))])) as Record<Arm["key"], number>),
        recipeWins: seeds.filter((s) => final(task.key, s, n, "probeThenFineTune") > final(task.key, s, n, "scratch")).length,
        recipeBeatsControl: seeds.filter((s) => final(task.key, s, n, "probeThenFineTune") > final(task.key, s, n, "controlRecipe")).length,
      })),
    }));
    const main = summary[0];
    const small = main.bySize[0];
    const all = [...firstTrials, ...secondTrials];
    const checks = [
      check("every trial trained its full budget (completed: none failed or stopped)", all.every((t) => t.status === "completed") && cells.every((c, i) => curveOf(i).length === epochs),
        `${all.filter((t) => t.status === "completed").length}/${all.length} trials completed`),
      check(`${main.title}: probe then fine-tune (lr ÷ 10) beats from scratch with the same budget at n = ${small.n}, on every seed`, small.recipeWins === seeds.length,
        seeds.map((s) => `seed ${s}: ${final(main.task, s, small.n, "probeThenFineTune").toFixed(3)} vs ${final(main.task, s, small.n, "scratch").toFixed(3)}`).join("; ")),
      check(`${main.title}: probe then fine-tune (lr ÷ 10) beats from scratch on average at every n`, main.bySize.every((b) => b.probeThenFineTune > b.scratch),
        main.bySize.map((b) => `n ${b.n}: ${b.probeThenFineTune.toFixed(3)} vs ${b.scratch.toFixed(3)} (${b.recipeWins}/${seeds.length} seeds)`).join("; ")),
      // Without this a frozen random layer could be what helps (a linear classifier on random features is itself a regulariser).
      check(`${main.title}: the stored trial's features are what helps — the recipe from it beats the same recipe from an untrained trial, on average at every n`, main.bySize.every((b) => b.probeThenFineTune > b.controlRecipe),
        main.bySize.map((b) => `n ${b.n}: ${b.probeThenFineTune.toFixed(3)} vs ${b.controlRecipe.toFixed(3)} (${b.recipeBeatsControl}/${seeds.length} seeds)`).join("; ")),
    ];
    const s0 = seeds[0];
    const dashed = (k: Arm["key"]) => k === "fineTunedSameRate" || k === "linearProbe" || k === "controlRecipe";
    const svg = figure([
      (w, h) => linePanel({ title: `${main.short}: n = ${small.n}, seed ${s0}`, x: { label: "epoch" }, y: { label: "val accuracy", domain: [0.4, 1] },
        series: ARMS.map((a) => ({ label: a.label, points: curveOf(at(main.task, s0, small.n, a.key)).map((v, e) => [e + 1, v] as const), dashed: dashed(a.key) })) }, w, h),
      ...summary.map((t) => (w: number, h: number) => linePanel({ title: `${t.short}: final, mean of ${seeds.length}`, x: { label: "train digits n (log)", log: true }, y: { label: "val accuracy", domain: [0.4, 1] },
        series: ARMS.map((a) => ({ label: a.label, points: t.bySize.map((b) => [b.n, b[a.key]] as const), dots: true, dashed: dashed(a.key) })) }, w, h)),
    ], {
      title: "Claim 14 — fine-tuning a stored trial vs training from scratch (through the API)",
      caption: `Stored trial per task and seed: rank 1 of a grid search over lr {3e-4, 1e-3, 3e-3} on ${pretrain.trainSize} source digits (uploaded CSV, zero-centred, MLP 1×${model.hidden.join("×")} ReLU, Adam, ${pretrain.epochs} epochs; ${stored.map((s) => `${s.task} seed ${s.seed}: lr ${s.lr}, val ${s.valAccuracy?.toFixed(3)}`).join("; ")}). Target: n digits, every arm ${epochs} epochs at batch n/4 (${epochs * 4} Adam steps), val ${valSize} other digits; fine-tune searches POST model.initFrom = the stored trial's id (the recipe's second trial: the probe trial's id). ${seeds.length} seed(s) (${seeds.join(", ")}). Mean final val accuracy by n: ${summary.map((t) => `${t.task}: ${t.bySize.map((b) => `n ${b.n}: scratch ${b.scratch.toFixed(3)}, ft ÷10 ${b.fineTuned.toFixed(3)}, ft ${b.fineTunedSameRate.toFixed(3)}, probe ${b.linearProbe.toFixed(3)}, probe→ft ÷10 ${b.probeThenFineTune.toFixed(3)}, control (untrained start) ${b.controlRecipe.toFixed(3)}`).join("; ")}`).join(". ")}.`,
      columns: 3, panelWidth: 380, panelHeight: 310,
    });
    const other = summary[1];
    return {
      headline: `${main.title}, ${small.n} digits: probe → fine-tune (lr ÷ 10) ${small.probeThenFineTune.toFixed(3)}, fine-tune lr ÷ 10 alone ${small.fineTuned.toFixed(3)}, from scratch ${small.scratch.toFixed(3)}${other ? `; digits 6–9 from 0–5: ${other.bySize[0].probeThenFineTune.toFixed(3)}, ${other.bySize[0].fineTuned.toFixed(3)} vs ${other.bySize[0].scratch.toFixed(3)}` : ""}`,
      checks,
      numbers: {
        seeds, sizes, epochs, pretrain, valSize, model,
        stored: stored.map((s) => ({ ...s, valAccuracy: r4(s.valAccuracy), untrainedValAccuracy: r4(s.untrainedValAccuracy) })),
        summary: summary.map((t) => ({ ...t, bySize: t.bySize.map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, k === "n" || k.startsWith("recipe") ? v : r4(v)]))) })),
        per: cells.map((c, i) => ({ task: c.d.task.key, seed: c.seed, n: c.n, arm: c.arm.key, lr: r4(c.st.lr * c.arm.lrFactor), trialId: firstTrials[i].id, valAccuracy: curveOf(i).map(r4) })),
      },
      svg,
      method: "public API (product on an ephemeral port, @hps/client)",
      seeds,
    };
  },
};

/** The one trial of a single-trial search, with its curve. */
async function trialOf(client: HpsClient, s: SearchDetail): Promise<TrialWithCurve> {
  if (!s.best) throw new Error(`search ${s.name} has no ranked trial`);
  return client.getTrial(s.best.id);
}
