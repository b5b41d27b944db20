/**
 * GEMM blocking constants and the kernels' scratch layout at the bottom of the arena memory.
 */

/**
 * Micro-tile rows (A values broadcast per k step). 4×8 keeps 8 accumulators + 2 B vectors + the
 * broadcast A values in the 15 XMM registers V8 allocates: TurboFan schedules all of a k step's loads
 * before its multiply-adds, so a step needs accumulators + B vectors + MR broadcasts live at once
 * (4×8: 14). 6×8 (20) spills; the FMA module measured 6×8, 2×16, 3×12 within noise of 4×8.
 * A is packed (packA) into MR-row panels so the k loop advances one A pointer instead of MR row
 * pointers: on the AMD EPYC (Zen 3) of 2026-12-01, Node 20 FMA path, best of 15, interleaved
 * 3 runs, the mlp2 layer shapes went from 38–39 to 44–46 GFLOP/s. Unrolling the k loop 4× was
 * slower (16–22): V8 hoists `memory base + offset` of every v128.load32_splat offset out of the
 * loop into its own register and schedules all the unrolled loads first, so it spilled 10+ XMM
 * registers per iteration (seen with --print-wasm-code).
 * The ceiling: WebAssembly SIMD is 128 bits wide, so Zen 3's two FMA pipes give 2 × 4 lanes × 2 =
 * 16 flop/cycle against AVX2's 2 × 8 × 2 = 32 (AVX-512 machines: 64), i.e. at best 0.5x OpenBLAS
 * on this machine. The k loop is now 8 vfmadd231ps, 2 B loads, 4 vbroadcastss and 6 bookkeeping
 * instructions (V8's loop stack check, zero-extending moves, 2 pointer adds, the counter), which
 * Zen 3 issues in the 4 cycles the FMAs take: 44–46 GFLOP/s ≈ 16 × ~2.9 GHz, 0.50–0.53x of
 * OpenBLAS's 85–91 single-thread in the same runs.
 */
export const MR = 4;
/** Micro-tile columns: two v128 of 4 floats. */
export const NR = 8;
/** K slice depth: a B micro-panel (KC×NR×4 B = 8 KiB) stays in L1 while the A panels stream from L2. (512 measured the same within noise.) */
export const KC = 256;
/** Rows of A per block (MC×KC×4 B = 128 KiB packed, stays in the 1 MiB per-core L2 while the B panels sweep it). */
export const MC = 128;
/** Columns of B packed at once (KC×NC×4 B = 1 MiB). */
export const NC = 1024;
/** Up to this many rows of C, full panels of an untransposed B are read in place instead of packed. */
export const DIRECT_B_MAX_M = 32;

/** Byte address of the packed-B scratch (KC×NC floats). */
export const PACK_B = 256;
/** Byte address of the packed-A block (MC×KC floats, in mr-row panels). */
export const PACK_A = PACK_B + KC * NC * 4;
/** Byte address of the MR×NR edge tile. */
export const TILE = PACK_A + MC * KC * 4;
/** First byte `alloc` may hand out (64-byte aligned, after the kernel scratch). */
export const ARENA_BASE = Math.ceil((TILE + MR * NR * 4) / 64) * 64 + 64;
