/**
 * `pnpm bench:core [-- --json] [--budget <seconds>] [--only mlp1,cnn] [--clock wall|cpu] [--kernels auto|simd128|fma]
 *                  [--runtimes auto|self]`
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
 * Kernel paths: the headline "hps" column is the path --kernels selects (default auto: FMA where
 * the runtime compiles relaxed SIMD, see @hps/core selectKernelPath); every other path this runtime
 * runs is measured beside it in the same run (SIMD128 is the pre-FMA kernels), workload by workload,
 * and so is the sgemm table: GFLOP/s per shape for each path and for PyTorch's OpenBLAS on the same
 * shapes (transposed operands passed as views, so BLAS gets the flag). The header names the Node
 * version and the CPU.
 *
 * Runtimes: after its own run, bench:core runs itself again under every other supported Node
 * the machine has (runtimes.ts: HPS_BENCH_NODES, the .ci/node24 that `.ci/run` installs, `node` on
 * PATH), prints each one's tables and then both side by side; `--runtimes self` runs this one only.
 *
 * --json prints one JSON object per line (nothing else on stdout), per runtime (each line names
 * its `node` version): first one per workload:
 *   {"node": "24.22.3", "workload": "mlp1", "kernelPath": "fma", "samplesPerSec": {"hps": n, "hpsSimd128": n|null, "hpsFma": n|null,
 *    "torchOpenblas": n|null, "torchRefBlas": n|null, "tfjsWasm": n|null}}
 * then one per sgemm shape: {"node": "24.22.3", "gemm": "256x512x784NN", "gflops": {"simd128": n|null, "fma": n|null, "torchOpenblas": n|null}},
 * with null for a path the runtime cannot run or an anchor that is not installed (no /usr/bin/python3 with torch, no tfjs).
 */
import { readFileSync } from "node:fs";
import { KERNEL_PATHS, parseKernelPath, runnableKernelPaths, selectKernelPath, type KernelPath } from "@hps/core";
import { GEMM_SHAPES, hpsGemmGflops, shapeName } from "./gemm.ts";
import { jsonLines, printAcrossRuntimes, printReport, type RuntimeReport } from "./report.ts";
import { otherRuntimes, runUnder } from "./runtimes.ts";
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

/** The kernel paths this runtime runs (SIMD128 always; FMA where relaxed SIMD compiles), headline first. */
const headline = selectKernelPath(parseKernelPath(opt("--kernels") ?? "auto"));
const paths: KernelPath[] = [headline, ...runnableKernelPaths().filter((p) => p !== headline)];
const cpuModel = (() => {
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
})();

log(`hps bench:core — single thread, ${clock} clock, budget ${budget} s per measurement, ${new Date().toISOString()}`);
log(`Node ${process.versions.node} (V8 ${process.versions.v8}), ${cpuModel}; kernel path: ${headline}` +
  `${paths.length > 1 ? ` (also measured: ${paths.slice(1).join(", ")})` : ` (${KERNEL_PATHS.filter((p) => p !== headline).join(", ")} not available on this runtime)`}`);

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

// sgemm per shape: each kernel path and OpenBLAS, interleaved shape by shape.
const gemm = GEMM_SHAPES.map((shape) => {
  const byPath: Partial<Record<KernelPath, number>> = {};
  for (const p of paths) {
    selectKernelPath(p);
    byPath[p] = hpsGemmGflops(shape, clock);
  }
  selectKernelPath(headline);
  return { shape, byPath, openblas: null as number | null };
});
for (const g of gemm) if (anchors.openblas) g.openblas = await anchors.openblas.gemm(g.shape);

const hpsByPath: Record<KernelPath, Partial<Record<WorkloadName, number>>> = { simd128: {}, fma: {} };
const hps: Partial<Record<WorkloadName, number>> = {};
const tfjs: Partial<Record<WorkloadName, number | null>> = {};
const torch: Record<"openblas" | "reference", Partial<Record<WorkloadName, number>>> = { openblas: {}, reference: {} };
for (const w of workloads) {
  for (const p of paths) {
    selectKernelPath(p);
    const r = runHps(w, budget, clock);
    hpsByPath[p][w.name] = r.samplesPerSec;
    log(`  hps ${w.name} (${p}): ${r.samplesPerSec.toFixed(0)} samples/s (CPU share ${r.cpuShare.toFixed(2)}), alloc() calls during timed steps: ${r.allocsWhileTimed}`);
  }
  selectKernelPath(headline);
  hps[w.name] = hpsByPath[headline][w.name]!;
  tfjs[w.name] = (await runTfjs(w, budget, clock))?.samplesPerSec ?? null;
  for (const blas of ["openblas", "reference"] as const) {
    const t = anchors[blas];
    if (t) torch[blas][w.name] = await t.run(w.name);
  }
}
if (tfjs[names[0]!] === null) log("  tfjs: @tensorflow/tfjs-core / tfjs-backend-wasm not installed");
anchors.openblas?.close();
anchors.reference?.close();

const report: RuntimeReport = {
  node: process.versions.node,
  paths,
  rows: workloads.map((w) => ({
    workload: w.name,
    kernelPath: headline,
    samplesPerSec: {
      hps: hps[w.name]!,
      hpsSimd128: hpsByPath.simd128[w.name] ?? null,
      hpsFma: hpsByPath.fma[w.name] ?? null,
      torchOpenblas: torch.openblas[w.name] ?? null,
      torchRefBlas: torch.reference[w.name] ?? null,
      tfjsWasm: tfjs[w.name] ?? null,
    },
  })),
  gemm: gemm.map((g) => ({ gemm: shapeName(g.shape), gflops: { simd128: g.byPath.simd128 ?? null, fma: g.byPath.fma ?? null, torchOpenblas: g.openblas } })),
};
if (json) for (const l of jsonLines(report)) console.log(l);
else printReport(report);

// The other supported runtimes on this machine, one after another, each with its own anchors.
const runtimesArg = opt("--runtimes") ?? "auto";
if (runtimesArg !== "auto" && runtimesArg !== "self") throw new Error(`--runtimes must be auto or self, got ${runtimesArg}`);
const others = runtimesArg === "auto" ? otherRuntimes() : [];
if (others.length > 0) {
  const passOn = ["--budget", "--clock", "--only", "--kernels"].flatMap((name) => (opt(name) === undefined ? [] : [name, opt(name)!]));
  const reports = [report];
  for (const rt of others) {
    log(`\nNode ${rt.version} (${rt.bin}): the same run`);
    const rep = runUnder(rt, passOn);
    reports.push(rep);
    if (json) for (const l of jsonLines(rep)) console.log(l);
    else printReport(rep);
  }
  if (!json) printAcrossRuntimes(reports);
} else if (runtimesArg === "auto") {
  log(`\n(no other supported Node runtime found: set HPS_BENCH_NODES to a binary's path to add one)`);
}
