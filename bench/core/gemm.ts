/** The sgemm probe of bench:core: GFLOP/s of the core's sgemm on the layer shapes of mlp2 and 512³. */
import { alloc, sgemm } from "@hps/core";
import type { Clock } from "./workloads.ts";

export interface GemmShape { M: number; N: number; K: number; ta: boolean; tb: boolean }

/** mlp2's forward, weight-gradient and input-gradient products, and a square one. */
export const GEMM_SHAPES: readonly GemmShape[] = [
  { M: 256, N: 512, K: 784, ta: false, tb: false },
  { M: 784, N: 512, K: 256, ta: true, tb: false },
  { M: 256, N: 784, K: 512, ta: false, tb: true },
  { M: 512, N: 512, K: 512, ta: false, tb: false },
];

export const shapeName = (s: GemmShape) => `${s.M}x${s.N}x${s.K}${s.ta ? "T" : "N"}${s.tb ? "T" : "N"}`;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Best of 8 GFLOP/s of sgemm on the current kernel path (the caller selects it). */
export function hpsGemmGflops(s: GemmShape, clock: Clock): number {
  const { M, N, K } = s;
  const A = alloc(M * K).fill(0.5), B = alloc(K * N).fill(0.25), C = alloc(M * N);
  const now = clock === "cpu" ? cpuMs : () => performance.now();
  sgemm(s.ta, s.tb, M, N, K, A, 0, B, 0, C, 0, 0);
  let best = Infinity;
  for (let r = 0; r < 8; r++) {
    const t = now();
    sgemm(s.ta, s.tb, M, N, K, A, 0, B, 0, C, 0, 0);
    best = Math.min(best, now() - t);
  }
  return (2 * M * N * K) / Math.max(best, 1e-6) / 1e6;
}
