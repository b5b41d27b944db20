/**
 * GEMM blocking constants and the kernels' scratch layout at the bottom of the arena memory.
 */

/**
 * Micro-tile rows (A values broadcast per k step). 4×8 keeps 8 accumulators + 3 temporaries in the
 * 15 usable XMM registers and measured ~48 GFLOP/s here (≈ 16 flops/cycle: two f32x4.mul and two
 * f32x4.add per cycle, the SIMD128 ceiling without FMA); 6×8 measured 27 (its accumulators spill).
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
