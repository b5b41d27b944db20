/**
 * `pnpm bench:core [-- --json] [--budget <seconds>] [--only mlp1,cnn] [--clock wall|cpu]`
 *
 * Trains each workload of workloads.ts single-threaded (forward + backward + update, synthetic
 * data) and reports samples/s for hps (the core's public API on the WebAssembly kernels) and, in
 * the same run, the anchors that are installed: PyTorch + OpenBLAS, PyTorch + reference BLAS
 * (long-lived child processes, see torch.ts) and tfjs-core + tfjs-backend-wasm (see tfjs.ts).
 * Runners take turns workload by workload, never concurrently, so each ratio compares
 * measurements taken seconds apart. Each measurement runs 5 warm-up steps (spiral: 50) and then
 * at least `budget` seconds (default 1.5); a full run takes well under a minute.
 *
 * --clock cpu divides by each process's CPU time instead of wall time (every runner alike), for a
 * busy shared machine where wall time also measures the queue for a core; the log prints the CPU
 * share (CPU/wall) of each hps run so contention is visible either way. The log also reports the
 * alloc() calls made during hps's timed steps (0: no allocation per step in steady state) and a
 * GEMM GFLOP/s probe on mlp2's layer shapes.
 *
 * --json prints exactly one JSON object per workload per line (nothing else on stdout):
 *   {"workload": "mlp1", "samplesPerSec": {"hps": n, "torchOpenblas": n|null, "torchRefBlas": n|null, "tfjsWasm": n|null}}
 * with null for an anchor that is not installed (no /usr/bin/python3 with torch, no tfjs).
 */
import { alloc, sgemm } from "@hps/core";
import { runHps } from "./hps.ts";
import { runTfjs } from "./tfjs.ts";
import { TorchAnchor } from "./torch.ts";
import { WORKLOADS, type Clock, type WorkloadName } from "./workloads.ts";

const args = process.argv.slice(2);
const json = args.includes("--json");
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const budget = Number(opt("--budget") ?? 1.5);
const clock = (opt("--clock") ?? "wall") as Clock;
if (clock !== "wall" && clock !== "cpu") throw new Error(`--clock must be wall or cpu, got ${String(clock)}`);
const only = opt("--only")?.split(",");
const workloads = WORKLOADS.filter((w) => !only || only.includes(w.name));
const names = workloads.map((w) => w.name);
const log = (s: string) => { if (!json) console.log(s); };

/** GFLOP/s of hps's sgemm on the layer shapes of mlp2 (best of a few repetitions). */
function gemmProbe(): string {
  const out: string[] = [];
  for (const [M, N, K, ta, tb] of [[256, 512, 784, false, false], [784, 512, 256, true, false], [256, 784, 512, false, true], [512, 512, 512, false, false]] as const) {
    const A = alloc(M * K).fill(0.5), B = alloc(K * N).fill(0.25), C = alloc(M * N);
    let best = Infinity;
    for (let r = 0; r < 8; r++) {
      const t = performance.now();
      sgemm(ta, tb, M, N, K, A, 0, B, 0, C, 0, 0);
      best = Math.min(best, performance.now() - t);
    }
    out.push(`${M}x${N}x${K}${ta ? "T" : "N"}${tb ? "T" : "N"} ${((2 * M * N * K) / best / 1e6).toFixed(1)}`);
  }
  return out.join(", ");
}

log(`hps bench:core — single thread, ${clock} clock, budget ${budget} s per measurement, ${new Date().toISOString()}`);
log(`hps sgemm GFLOP/s: ${gemmProbe()}`);

// Anchors start first (importing torch is CPU-heavy) and then every runner takes its turn per
// workload, so each ratio compares measurements taken seconds apart.
const anchors: Record<"openblas" | "reference", TorchAnchor | null> = {
  openblas: await TorchAnchor.start("openblas", budget, clock),
  reference: await TorchAnchor.start("reference", budget, clock),
};
for (const [blas, t] of Object.entries(anchors)) {
  if (!t) log(`  torch (${blas}): not available`);
  else log(`  torch ${t.meta.torch} (${blas}): ${t.meta.threads} thread, sgemm 512³ ${t.meta.gemmGflops} GFLOP/s, BLAS mapped: ${t.meta.blas.join(", ")}; unset for the child: ${t.unset.join(", ") || "none"}`);
}

const hps: Partial<Record<WorkloadName, number>> = {};
const tfjs: Partial<Record<WorkloadName, number | null>> = {};
const torch: Record<"openblas" | "reference", Partial<Record<WorkloadName, number>>> = { openblas: {}, reference: {} };
for (const w of workloads) {
  const r = runHps(w, budget, clock);
  hps[w.name] = r.samplesPerSec;
  log(`  hps ${w.name}: ${r.samplesPerSec.toFixed(0)} samples/s (CPU share ${r.cpuShare.toFixed(2)}), alloc() calls during timed steps: ${r.allocsWhileTimed}`);
  tfjs[w.name] = (await runTfjs(w, budget, clock))?.samplesPerSec ?? null;
  for (const blas of ["openblas", "reference"] as const) {
    const t = anchors[blas];
    if (t) torch[blas][w.name] = await t.run(w.name);
  }
}
if (tfjs[names[0]!] === null) log("  tfjs: @tensorflow/tfjs-core / tfjs-backend-wasm not installed");
anchors.openblas?.close();
anchors.reference?.close();

const rows = workloads.map((w) => ({
  workload: w.name,
  samplesPerSec: {
    hps: hps[w.name]!,
    torchOpenblas: torch.openblas[w.name] ?? null,
    torchRefBlas: torch.reference[w.name] ?? null,
    tfjsWasm: tfjs[w.name] ?? null,
  },
}));

if (json) {
  for (const r of rows) console.log(JSON.stringify(r));
} else {
  const fmt = (n: number | null) => (n === null ? "—" : Math.round(n).toLocaleString("en-US"));
  const ratio = (a: number, b: number | null) => (b === null ? "—" : `${(a / b).toFixed(2)}x`);
  const head = ["workload", "hps", "torch+OpenBLAS", "hps/torchOB", "torch+refBLAS", "hps/torchRef", "tfjs-wasm", "hps/tfjs"];
  const table = rows.map((r) => {
    const s = r.samplesPerSec;
    const title = WORKLOADS.find((w) => w.name === r.workload)!.title;
    return [title, fmt(s.hps), fmt(s.torchOpenblas), ratio(s.hps, s.torchOpenblas), fmt(s.torchRefBlas), ratio(s.hps, s.torchRefBlas), fmt(s.tfjsWasm), ratio(s.hps, s.tfjsWasm)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log("\nsamples/s (forward + backward + update, one thread; higher is better)");
  console.log(line(head));
  for (const r of table) console.log(line(r));
}
