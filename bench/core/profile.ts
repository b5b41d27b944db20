/**
 * `pnpm bench:profile [-- --steps N] [--only mlp1,cnn] [--features bench|full] [--clock wall|cpu]`
 *
 * Where one training step's time goes, per layer (forward and backward) and per part of the
 * mini-batch loop (train/mini-batch-loop.ts): gathering the batch, the loss, counting correct
 * rows, L2, the optimiser step, the Polyak average. Each part is timed with performance.now()
 * around its call (≈ 0.1 µs each, against parts of 10 µs to 10 ms), over `steps` steps after a
 * warm-up, single thread.
 *  - `--features bench`: the workloads exactly as `pnpm bench:core` trains them (no batch norm, no
 *    dropout, no L2, no Polyak average);
 *  - `--features full` (default: both): the same networks with batch norm after every affine/conv,
 *    dropout 0.5 after the hidden activations (MLPs), L2 1e-4 and a Polyak average (decay 0.999),
 *    which is what a search's trials switch on.
 * The batch is gathered by the Batcher from a plain (non-arena) dataset of 8 batches, as train() does.
 * `--clock cpu` times each part with process.cpuUsage() (≈ 1 µs a reading) instead of wall time, for
 * a shared machine where wall time also counts the wait for a core.
 */
import {
  Adam, Batcher, type Layer, PolyakAverage, Rng, Sgd, SoftmaxCrossEntropy, applyL2, buildModel, countCorrect,
  type Optimizer,
} from "@hps/core";
import { hpsModelConfig } from "./hps.ts";
import { WORKLOADS, type Workload } from "./workloads.ts";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const steps = Number(opt("--steps") ?? 30);
const only = (opt("--only") ?? "mlp1,mlp2,cnn").split(",");
const features = opt("--features");
const variants = features ? [features] : ["bench", "full"];
const clock = opt("--clock") ?? "wall";
if (clock !== "wall" && clock !== "cpu") throw new Error(`--clock must be wall or cpu, got ${clock}`);
const now = clock === "cpu" ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();
if (variants.some((v) => v !== "bench" && v !== "full")) throw new Error(`--features must be bench or full, got ${features}`);

/** Accumulated milliseconds per part, in first-seen order. */
class Timer {
  readonly ms = new Map<string, number>();
  time<T>(part: string, fn: () => T): T {
    const t = now();
    const r = fn();
    this.ms.set(part, (this.ms.get(part) ?? 0) + now() - t);
    return r;
  }
}

/** Wraps each layer's forward/backward so they report to the timer as "<i> <kind> fwd|bwd". */
function instrument(layers: readonly Layer[], timer: Timer): void {
  layers.forEach((layer, i) => {
    const fwd = layer.forward.bind(layer), bwd = layer.backward.bind(layer);
    const name = `${i} ${layer.kind} [${layer.outShape.join(",")}]`;
    layer.forward = (x, b, tr) => timer.time(`${name} fwd`, () => fwd(x, b, tr));
    layer.backward = (d, g) => timer.time(`${name} bwd`, () => bwd(d, g));
  });
}

function profile(w: Workload, full: boolean): void {
  const rng = new Rng(1);
  const cfg = { ...hpsModelConfig(w), batchNorm: full, dropout: full && w.convFilters.length === 0 ? 0.5 : 0 };
  const model = buildModel(cfg, w.inShape, w.classes, rng);
  const loss = new SoftmaxCrossEntropy();
  const optimizer: Optimizer = w.optimizer === "adam" ? new Adam(0.9, 0.999, 1e-8) : new Sgd();
  const dim = w.inShape.reduce((a, b) => a * b, 1);
  const n = 8 * w.batch;
  const X = new Float32Array(n * dim).map(() => rng.normal());
  const Y = new Int32Array(n).map(() => rng.int(w.classes));
  const batcher = new Batcher(X, Y, dim, w.batch, rng.fork(3), full);
  const polyak = full ? new PolyakAverage(model, 0.999) : null;
  const l2 = full ? 1e-4 : 0;
  const params = model.params();
  const timer = new Timer();
  const step = () => {
    let size = timer.time("batcher.next (gather)", () => batcher.next());
    if (size === 0) {
      batcher.shuffle();
      size = batcher.next();
    }
    const scores = model.forward(batcher.x, size, true);
    timer.time("loss forward", () => loss.forward(scores, batcher.y, size, w.classes));
    timer.time("countCorrect", () => countCorrect(scores, batcher.y, size, w.classes));
    model.backward(loss.backward(), false);
    if (full) timer.time("applyL2", () => applyL2(params, l2));
    timer.time("optimizer step", () => optimizer.step(params, w.lr));
    if (polyak) timer.time("polyak update", () => polyak.update());
  };
  batcher.shuffle();
  for (let i = 0; i < 5; i++) step();
  instrument(model.layers, timer);
  timer.ms.clear();
  const t0 = now();
  for (let i = 0; i < steps; i++) step();
  const total = now() - t0;
  const accounted = [...timer.ms.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${w.title}${full ? " + batch norm" + (cfg.dropout ? ", dropout 0.5" : "") + ", L2, Polyak" : ""}: ${(total / steps).toFixed(2)} ms/step, ${((steps * w.batch) / total * 1000).toFixed(0)} samples/s`);
  const rows = [...timer.ms.entries(), ["(loop, timers)", total - accounted] as const];
  for (const [part, ms] of rows) {
    console.log(`  ${part.padEnd(44)} ${(ms / steps).toFixed(3).padStart(8)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)} %`);
  }
}

console.log(`hps bench:profile — ${steps} timed steps per workload, one thread, ${clock} clock, ${new Date().toISOString()}`);
for (const v of variants) for (const w of WORKLOADS.filter((x) => only.includes(x.name))) profile(w, v === "full");
