/**
 * Runs the PyTorch anchor (torch_anchor.py) in a child process with Debian's /usr/bin/python3:
 * once with the default BLAS (OpenBLAS when libopenblas0-pthread is installed) and once forced onto
 * Debian's reference BLAS (LD_LIBRARY_PATH + LD_PRELOAD of /usr/lib/x86_64-linux-gnu/blas/libblas.so.3).
 * Both single-threaded: torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1.
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the child's environment only, so OpenBLAS
 * picks its kernels for this CPU as it would for a user. Returns null when Python/torch is missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Clock, WorkloadName } from "./workloads.ts";

/** Debian's python (the pyenv python3 first on PATH cannot see python3-torch); HPS_BENCH_PYTHON overrides. */
export const PYTHON = process.env.HPS_BENCH_PYTHON ?? "/usr/bin/python3";
export const REF_BLAS_DIR = "/usr/lib/x86_64-linux-gnu/blas";
const SCRIPT = fileURLToPath(new URL("./torch_anchor.py", import.meta.url));

export interface TorchRun {
  meta: { torch: string; threads: number; blas: string[]; gemmGflops: number };
  samplesPerSec: Partial<Record<WorkloadName, number>>;
  /** Environment variables removed for this child (they were set in ours). */
  unset: string[];
}

export function runTorch(blas: "openblas" | "reference", names: WorkloadName[], budgetSec: number, clock: Clock = "wall"): TorchRun | null {
  if (!existsSync(PYTHON)) return null;
  if (blas === "reference" && !existsSync(`${REF_BLAS_DIR}/libblas.so.3`)) return null;
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const unset = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"].filter((k) => k in env);
  for (const k of unset) delete env[k];
  if (blas === "reference") {
    env.LD_LIBRARY_PATH = [REF_BLAS_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
    env.LD_PRELOAD = [`${REF_BLAS_DIR}/libblas.so.3`, env.LD_PRELOAD].filter(Boolean).join(" ");
  }
  const r = spawnSync(PYTHON, [SCRIPT, String(budgetSec), names.join(","), clock], { env, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) {
    if (/No module named 'torch'/.test(r.stderr ?? "")) return null;
    throw new Error(`torch anchor (${blas}) failed: ${r.error?.message ?? r.stderr}`);
  }
  const run: TorchRun = { meta: { torch: "", threads: 0, blas: [], gemmGflops: 0 }, samplesPerSec: {}, unset };
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const o = JSON.parse(line) as { meta?: TorchRun["meta"]; workload?: WorkloadName; samplesPerSec?: number };
    if (o.meta) run.meta = o.meta;
    else if (o.workload) run.samplesPerSec[o.workload] = o.samplesPerSec;
  }
  if (blas === "reference" && run.meta.blas.some((l) => l.includes("openblas") && l.includes("libblas"))) {
    throw new Error(`torch anchor: asked for the reference BLAS but loaded ${run.meta.blas.join(", ")}`);
  }
  return run;
}
