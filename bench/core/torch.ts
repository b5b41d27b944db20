/**
 * The PyTorch anchor (torch_anchor.py) as a long-lived child process of Debian's /usr/bin/python3,
 * so the parent can interleave runners workload by workload (fairer ratios on a busy machine).
 * Two variants: the default BLAS (OpenBLAS when libopenblas0-pthread is installed) and Debian's
 * reference BLAS, forced with LD_LIBRARY_PATH + LD_PRELOAD of /usr/lib/x86_64-linux-gnu/blas/libblas.so.3
 * (the BLAS libraries actually mapped are reported, and a reference run that mapped OpenBLAS's
 * libblas is rejected). Both single-threaded: torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1,
 * OMP_NUM_THREADS=1. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the child's environment
 * only, so OpenBLAS picks its kernels for this CPU as it would for a user.
 * `start` resolves to null when Python or torch is missing.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { GemmShape } from "./gemm.ts";
import type { Clock, WorkloadName } from "./workloads.ts";

/** Debian's python (the pyenv python3 first on PATH cannot see python3-torch); HPS_BENCH_PYTHON overrides. */
export const PYTHON = process.env.HPS_BENCH_PYTHON ?? "/usr/bin/python3";
export const REF_BLAS_DIR = "/usr/lib/x86_64-linux-gnu/blas";
const SCRIPT = fileURLToPath(new URL("./torch_anchor.py", import.meta.url));

export interface TorchMeta { torch: string; threads: number; blas: string[]; gemmGflops: number }
export type Blas = "openblas" | "reference";

export class TorchAnchor {
  private constructor(
    readonly blas: Blas,
    readonly meta: TorchMeta,
    /** Environment variables removed for the child (they were set in ours). */
    readonly unset: string[],
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
  ) {}

  static async start(blas: Blas, budgetSec: number, clock: Clock): Promise<TorchAnchor | null> {
    if (!existsSync(PYTHON)) return null;
    if (blas === "reference" && !existsSync(`${REF_BLAS_DIR}/libblas.so.3`)) return null;
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
    const unset = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"].filter((k) => k in env);
    for (const k of unset) delete env[k];
    if (blas === "reference") {
      env.LD_LIBRARY_PATH = [REF_BLAS_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
      env.LD_PRELOAD = [`${REF_BLAS_DIR}/libblas.so.3`, env.LD_PRELOAD].filter(Boolean).join(" ");
    }
    const child = spawn(PYTHON, [SCRIPT, String(budgetSec), clock], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    const spawned = await new Promise<boolean>((resolve) => {
      child.once("spawn", () => resolve(true));
      child.once("error", () => resolve(false));
    });
    if (!spawned) return null;
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) {
      if (/No module named 'torch'/.test(stderr)) return null;
      throw new Error(`torch anchor (${blas}) failed to start: ${stderr}`);
    }
    const meta = (JSON.parse(first.value) as { meta: TorchMeta }).meta;
    if (blas === "reference" && meta.blas.some((l) => l.includes("openblas") && l.includes("libblas"))) {
      child.kill();
      throw new Error(`torch anchor: asked for the reference BLAS but loaded ${meta.blas.join(", ")}`);
    }
    return new TorchAnchor(blas, meta, unset, child, lines);
  }

  /** Trains one workload in the child and returns its samples/s. */
  async run(name: WorkloadName): Promise<number> {
    this.child.stdin.write(`${name}\n`);
    const line = await this.lines.next();
    if (line.done) throw new Error(`torch anchor (${this.blas}) exited during ${name}`);
    return (JSON.parse(line.value) as { samplesPerSec: number }).samplesPerSec;
  }

  /** GFLOP/s of one sgemm shape in the child (best of 8, by the child's clock). */
  async gemm(s: GemmShape): Promise<number> {
    this.child.stdin.write(`gemm ${s.M} ${s.N} ${s.K} ${Number(s.ta)} ${Number(s.tb)}\n`);
    const line = await this.lines.next();
    if (line.done) throw new Error(`torch anchor (${this.blas}) exited during gemm`);
    return (JSON.parse(line.value) as { gflops: number }).gflops;
  }

  close(): void {
    this.child.stdin.end();
  }
}
