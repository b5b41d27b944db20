/**
 * GEMM blocking constants and the kernels' scratch layout at the bottom of the arena memory.
 */

/**
 * Micro-tile rows (A values broadcast per k step). 4×8 keeps 8 accumulators + 3 temporaries in the
 * 15 usable XMM registers and measured ~48 GFLOP/s here (≈ 16 flops/cycle: two f32x4.mul and two
 * f32x4.add per cycle, the SIMD128 ceiling without FMA); 6×8 measured 27 (its accumulators spill).
 * The FMA module keeps 4×8: with relaxed_madd no product temporary is live, so 6×8 (12 accumulators)
 * and 2×16 / 3×12 fit in registers too, but on the AMD EPYC (Zen 3) of 2026-12-01, Node 24, best of
 * 15 by CPU time over 4 layer shapes, three interleaved runs, they measured the same as 4×8 within
 * the machine's noise (4×8: 27–38, 6×8: 18–37, 2×16: 26–39, 3×12: 25–38 GFLOP/s; SIMD128 4×8: 17–29).
 */
export const MR = 4;
/** Micro-tile columns: two v128 of 4 floats. */
export const NR = 8;
/** K slice depth: a B micro-panel (KC×NR×4 B = 8 KiB) stays in L1 while the A panels stream from L2. */
export const KC = 256;
/** Rows of A per block (MC×KC×4 B = 128 KiB, stays in the 1 MiB per-core L2 while the B panels sweep it). */
export const MC = 128;
/** Columns of B packed at once (KC×NC×4 B = 1 MiB). */
export const NC = 1024;
/** Up to this many rows of C, full panels of an untransposed B are read in place instead of packed. */
export const DIRECT_B_MAX_M = 32;

/** Byte address of the packed-B scratch (KC×NC floats). */
export const PACK_B = 256;
/** Byte address of the MR×NR edge tile. */
export const TILE = PACK_B + KC * NC * 4;
/** First byte `alloc` may hand out (64-byte aligned, after the kernel scratch). */
export const ARENA_BASE = Math.ceil((TILE + MR * NR * 4) / 64) * 64 + 64;
