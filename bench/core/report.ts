/**
 * What one bench:core run on one Node runtime measured, its JSON lines (the `--json` format) and
 * its tables; and the summary across runtimes, each column from that runtime's own run (its
 * ratios compare measurements taken seconds apart; across runtimes, minutes apart).
 */
import type { KernelPath } from "@hps/core";
import { WORKLOADS, type WorkloadName } from "./workloads.ts";

export interface WorkloadRow {
  workload: WorkloadName;
  kernelPath: KernelPath;
  samplesPerSec: {
    hps: number;
    hpsSimd128: number | null;
    hpsFma: number | null;
    torchOpenblas: number | null;
    torchRefBlas: number | null;
    tfjsWasm: number | null;
  };
}

export interface GemmRow {
  gemm: string;
  gflops: { simd128: number | null; fma: number | null; torchOpenblas: number | null };
}

export interface RuntimeReport {
  /** process.versions.node of the runtime that ran it. */
  node: string;
  /** The headline kernel path first, then every other path this runtime ran. */
  paths: KernelPath[];
  rows: WorkloadRow[];
  gemm: GemmRow[];
}

const byPath = (r: WorkloadRow, p: KernelPath) => (p === "fma" ? r.samplesPerSec.hpsFma : r.samplesPerSec.hpsSimd128);

/** One JSON object per line: every workload, then every sgemm shape, each naming its runtime. */
export function jsonLines(rep: RuntimeReport): string[] {
  return [...rep.rows, ...rep.gemm].map((x) => JSON.stringify({ node: rep.node, ...x }));
}

/** The report of a child run from its `--json` lines (lines that are not its objects are ignored). */
export function parseJsonLines(text: string): RuntimeReport {
  let node = "";
  const rows: WorkloadRow[] = [];
  const gemm: GemmRow[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    const { node: n, ...o } = JSON.parse(line) as { node: string } & (WorkloadRow | GemmRow);
    node = n;
    if ("workload" in o) rows.push(o);
    else gemm.push(o);
  }
  if (rows.length === 0 && gemm.length === 0) throw new Error("no bench:core JSON lines in the child's output");
  const headline = rows[0]?.kernelPath ?? "simd128";
  const ran = (p: KernelPath) => rows.some((r) => byPath(r, p) !== null) || gemm.some((g) => g.gflops[p] !== null);
  const paths = [headline, ...(["simd128", "fma"] as const).filter((p) => p !== headline && ran(p))];
  return { node, paths, rows, gemm };
}

const fmt = (n: number | null) => (n === null ? "—" : Math.round(n).toLocaleString("en-US"));
const ratio = (a: number | null, b: number | null) => (a === null || b === null ? "—" : `${(a / b).toFixed(2)}x`);
const title = (w: WorkloadName) => WORKLOADS.find((x) => x.name === w)!.title;

function printTable(caption: string, head: string[], rows: string[][]): void {
  const widths = head.map((x, i) => Math.max(x.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${caption}`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

/** The samples/s and sgemm tables of one runtime's run. */
export function printReport(rep: RuntimeReport): void {
  const [headline, ...other] = rep.paths as [KernelPath, ...KernelPath[]];
  printTable(
    `samples/s (forward + backward + update, one thread; higher is better); kernel path ${headline}, Node ${rep.node}`,
    ["workload", `hps ${headline}`, ...other.map((p) => `hps ${p}`), "torch+OpenBLAS", `${headline}/torchOB`, ...other.map((p) => `${p}/torchOB`),
      "torch+refBLAS", "hps/torchRef", "tfjs-wasm", "hps/tfjs"],
    rep.rows.map((r) => {
      const s = r.samplesPerSec;
      const alt = other.map((p) => byPath(r, p));
      return [title(r.workload), fmt(s.hps), ...alt.map(fmt), fmt(s.torchOpenblas), ratio(s.hps, s.torchOpenblas), ...alt.map((a) => ratio(a, s.torchOpenblas)),
        fmt(s.torchRefBlas), ratio(s.hps, s.torchRefBlas), fmt(s.tfjsWasm), ratio(s.hps, s.tfjsWasm)];
    }),
  );
  printTable(
    `sgemm GFLOP/s (best of 8, one thread; higher is better); Node ${rep.node}`,
    ["sgemm shape", ...rep.paths.map((p) => `hps ${p}`), "torch+OpenBLAS", ...rep.paths.map((p) => `${p}/torchOB`)],
    rep.gemm.map((g) => [g.gemm, ...rep.paths.map((p) => g.gflops[p]?.toFixed(1) ?? "—"), g.gflops.torchOpenblas?.toFixed(1) ?? "—",
      ...rep.paths.map((p) => ratio(g.gflops[p], g.gflops.torchOpenblas))]),
  );
}

/** Every runtime's every path side by side, as ratios to the PyTorch + OpenBLAS of that runtime's run. */
export function printAcrossRuntimes(reps: RuntimeReport[]): void {
  const cols = reps.flatMap((rep) => rep.paths.map((p) => ({ rep, p })));
  const head = (unit: string) => ["", ...cols.map(({ rep, p }) => `Node ${rep.node.split(".")[0]} ${p} ${unit}`)];
  const workloads = reps[0]!.rows.map((r) => r.workload);
  printTable(
    "across runtimes: hps samples/s as a ratio to torch+OpenBLAS measured in the same runtime's run",
    head("/torchOB"),
    workloads.map((w) => [title(w), ...cols.map(({ rep, p }) => {
      const r = rep.rows.find((x) => x.workload === w);
      return r ? ratio(byPath(r, p), r.samplesPerSec.torchOpenblas) : "—";
    })]),
  );
  printTable(
    "across runtimes: sgemm GFLOP/s",
    head("GFLOP/s"),
    reps[0]!.gemm.map((g0) => [g0.gemm, ...cols.map(({ rep, p }) => rep.gemm.find((g) => g.gemm === g0.gemm)?.gflops[p]?.toFixed(1) ?? "—")]),
  );
}
