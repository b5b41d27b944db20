/**
 * The four training workloads of `pnpm bench:core`, shared by every runner (hps, tfjs; the PyTorch
 * anchor mirrors them in torch_anchor.py). Inputs are synthetic (seeded normal features, uniform
 * labels; 8 batches cycled) because only the speed of forward + backward + update is measured.
 */
export type WorkloadName = "mlp1" | "mlp2" | "spiral" | "cnn";

export interface Workload {
  readonly name: WorkloadName;
  readonly title: string;
  /** Per-sample input shape: [features] or [C, H, W]. */
  readonly inShape: readonly number[];
  /** MLP: hidden widths (relu). CNN: none (conv blocks below, then the output affine). */
  readonly hidden: readonly number[];
  /** CNN only: 3×3 convs with pad 1, each followed by relu and a 2×2/2 max pool. */
  readonly convFilters: readonly number[];
  readonly classes: number;
  readonly batch: number;
  readonly optimizer: "adam" | "sgd";
  readonly lr: number;
}

export const WORKLOADS: readonly Workload[] = [
  { name: "mlp1", title: "MLP 784-256-10, b128, Adam", inShape: [784], hidden: [256], convFilters: [], classes: 10, batch: 128, optimizer: "adam", lr: 1e-3 },
  { name: "mlp2", title: "MLP 784-512-512-10, b256, Adam", inShape: [784], hidden: [512, 512], convFilters: [], classes: 10, batch: 256, optimizer: "adam", lr: 1e-3 },
  { name: "spiral", title: "spiral 2-100-3, b300, SGD", inShape: [2], hidden: [100], convFilters: [], classes: 3, batch: 300, optimizer: "sgd", lr: 1 },
  // conv 8 3x3 pad 1 → relu → maxpool 2 → conv 16 3x3 pad 1 → relu → maxpool 2 → fc 10, on 1×28×28.
  { name: "cnn", title: "CNN c8-p-c16-p-fc10 28x28, b64, Adam", inShape: [1, 28, 28], hidden: [], convFilters: [8, 16], classes: 10, batch: 64, optimizer: "adam", lr: 1e-3 },
];

/** Warm-up steps before timing (JIT, buffer growth, optimizer state). */
export const warmupSteps = (w: Workload): number => (w.name === "spiral" ? 50 : 5);

/** Which clock divides the samples: wall time (default) or this process's CPU time (--clock cpu). */
export type Clock = "wall" | "cpu";

export interface Rate {
  /** Samples per second on the requested clock. */
  samplesPerSec: number;
  /** CPU time / wall time during the timed steps: ≈1 on a quiet machine, lower when cores are contended. */
  cpuShare: number;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Runs `step` (one forward + backward + update) for the warm-up, then until at least `budgetSec`
 * seconds (on `clock`) and 5 steps have elapsed, and returns samples per second.
 * The CPU clock counts the whole process (GC and compiler threads included), which is what makes
 * it fair on a busy shared machine: time spent waiting for a core is not counted.
 */
export function measure(w: Workload, step: (i: number) => void, budgetSec: number, clock: Clock = "wall", afterWarmup?: () => void): Rate {
  for (let i = 0; i < warmupSteps(w); i++) step(i);
  afterWarmup?.();
  const inner = w.name === "spiral" ? 10 : 1;
  let steps = 0;
  const t0 = performance.now(), c0 = cpuSeconds();
  for (;;) {
    for (let k = 0; k < inner; k++) step(steps++);
    const wall = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
    const elapsed = clock === "cpu" ? cpu : wall;
    if (elapsed >= budgetSec && steps >= 5) return { samplesPerSec: (steps * w.batch) / elapsed, cpuShare: cpu / wall };
  }
}
