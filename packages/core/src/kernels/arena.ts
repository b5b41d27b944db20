/**
 * The per-thread WebAssembly memory arena that `alloc` hands buffers out of, and the kernel instance
 * that runs on it (the SIMD128 or the FMA module, see kernel-path.ts and `selectKernelPath`).
 *
 * Lifecycle (read this before keeping a buffer across trials):
 * - Module-level state, so each thread (main or worker_threads Worker) gets its own memory and its
 *   own instance on first import. Buffers must not be shared across threads.
 * - `alloc(n)` bump-allocates n zeroed floats (64-byte aligned) and returns a Float32Array view
 *   into the memory, so the kernels run on layer/optimizer buffers with zero copies.
 * - The memory is a *shared* WebAssembly.Memory (`maximum` = 2 GiB of address space, reserved,
 *   not committed: pages cost RAM only once touched). It starts at 4 MiB and grows by doubling.
 *   Growing a shared memory never detaches existing views (a non-shared memory's grow() would
 *   detach every Float32Array handed out so far), so views stay valid for the arena's lifetime.
 *   Each grow gives `memory.buffer` a new SharedArrayBuffer object; `arenaAddress` recognises views
 *   on any of them. If the 2 GiB are exhausted, `alloc` falls back to a plain Float32Array, which
 *   the kernels accept through a slower copying path (see gemm.ts, fused.ts).
 * - Nothing is freed individually. `resetArena()` releases EVERY buffer allocated so far on this
 *   thread: call it between trials of a long-lived worker thread, once the previous trial's model,
 *   optimizer and datasets are no longer used (e.g. at the start of each trial). Views that survive
 *   a reset alias the next trial's buffers — a silent corruption, so only reset at that boundary.
 *   `arenaMark()`/`arenaRelease(mark)` are the scoped form (release what was allocated after mark);
 *   `train()` (train/train.ts) already wraps each trial in a mark/release pair, so a worker thread
 *   that runs trials through `train()` does not leak across trials.
 *   The memory itself never shrinks: a thread keeps its high-water mark (RSS) for its lifetime.
 * - `setArenaLimit(bytes)` caps the bytes in use on this thread (a worker's per-trial memory
 *   budget): an alloc past it throws TrialMemoryError instead of growing, and so does one the OS
 *   refuses, so a trial too large for its host fails by itself instead of taking the process down.
 * - Derive buffers with `subarray` (same memory). `slice`, `map`, `filter` and `Float32Array.from`
 *   return plain arrays outside the arena: still correct everywhere, but the kernels then copy or
 *   fall back to their TypeScript twins (many times slower).
 * - Views are backed by SharedArrayBuffer: structuredClone/postMessage of one SHARES it instead of
 *   copying; copy into a plain array (`Float32Array.from(v)` or `.slice()`) before sending one to
 *   another thread.
 */
import { ARENA_BASE, MAX_PAGES } from "./wat-source.ts";
import { type KernelPath, resolveKernelPath } from "./kernel-path.ts";
import { KERNELS_FMA_WASM_BASE64, KERNELS_WASM_BASE64 } from "./wasm-binary.generated.ts";

/** The raw kernel exports; all pointers are byte addresses into the arena memory. */
export interface KernelExports {
  gemm(ta: number, tb: number, M: number, N: number, K: number, A: number, B: number, C: number, beta: number): void;
  gemmBiasAct(ta: number, tb: number, M: number, N: number, K: number, A: number, B: number, C: number, bias: number, act: number, slope: number): void;
  gemmActBackward(ta: number, tb: number, M: number, N: number, K: number, A: number, B: number, C: number, Y: number, act: number, slope: number, sums: number): void;
  biasAct(y: number, b: number, rows: number, cols: number, act: number, slope: number): void;
  actForward(x: number, y: number, n: number, act: number, slope: number): void;
  actBackward(dy: number, y: number, dx: number, n: number, act: number, slope: number): void;
  actBackwardColSum(dy: number, y: number, dx: number, rows: number, cols: number, act: number, slope: number, out: number): void;
  colSum(d: number, rows: number, cols: number, out: number, beta: number): void;
  softmaxXent(s: number, lab: number, batch: number, classes: number, g: number): number;
  adam(w: number, g: number, m: number, v: number, n: number,
    lr: number, b1: number, b2: number, eps: number, ibc1: number, ibc2: number, l2: number): void;
  im2col(x: number, C: number, H: number, W: number, KH: number, KW: number, S: number, P: number,
    OH: number, OW: number, col: number, ld: number): void;
  col2im(col: number, C: number, H: number, W: number, KH: number, KW: number, S: number, P: number,
    OH: number, OW: number, x: number, ld: number): void;
  maxPoolForward(x: number, planes: number, H: number, W: number, size: number, S: number, OH: number, OW: number,
    y: number, arg: number): void;
  maxPoolBackward(dy: number, arg: number, nOut: number, dx: number, nIn: number): void;
  sgd(w: number, g: number, n: number, lr: number): void;
  momentum(w: number, g: number, v: number, n: number, lr: number, mu: number, nesterov: number): void;
  cacheUpdate(w: number, g: number, c: number, n: number, lr: number, decay: number, gain: number, eps: number): void;
  l2Grad(w: number, g: number, n: number, l2: number): number;
  bnStats(x: number, N: number, C: number, P: number, mean: number, istd: number, rmean: number, rvar: number,
    eps: number, mom: number, training: number): void;
  bnNormalize(x: number, y: number, xhat: number, N: number, C: number, P: number, mean: number, istd: number, gamma: number, beta: number,
    act: number, slope: number): void;
  bnBackward(dout: number, xhat: number, dx: number, N: number, C: number, P: number, s1: number, s2: number, k: number,
    gamma: number, istd: number, dgamma: number, dbeta: number, training: number, y: number, act: number, slope: number): void;
  channelsToSamplesAct(chan: number, samp: number, F: number, N: number, PQ: number, bias: number, act: number, slope: number): void;
  samplesToChannelsAct(samp: number, y: number, chan: number, F: number, N: number, PQ: number, bias: number, act: number, slope: number): void;
  dropoutForward(x: number, y: number, mask: number, n: number, seed: number, keepMax: number, scale: number): void;
  dropoutBackward(dout: number, mask: number, dx: number, n: number): void;
  emaUpdate(ema: number, w: number, n: number, d: number): void;
  countCorrect(s: number, labels: number, batch: number, classes: number): number;
  augmentSample(x: number, out: number, C: number, H: number, W: number, dx: number, dy: number, mirror: number, shift: number): void;
}

/** The slice of the WebAssembly JS API used here (the project's lib settings do not declare it). */
interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
const INITIAL_PAGES = 64; // 4 MiB: the kernels' ~1.2 MiB scratch plus room for a small model.

const memory = new Wasm.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
/** Every SharedArrayBuffer object the memory has exposed (one per grow); all alias the same bytes. */
const buffers: ArrayBufferLike[] = [memory.buffer];
let current: ArrayBufferLike = memory.buffer;
let top = ARENA_BASE;
let allocations = 0;

/**
 * The kernels in use on this thread. One object whose functions are swapped in place by
 * selectKernelPath, so modules that imported it keep calling the current path. Both modules are
 * stateless besides the memory (scratch is only live within one call), so switching is safe at any
 * time between calls; buffers from `alloc` stay valid.
 */
export const kernels = {} as KernelExports;
const compiled = new Map<KernelPath, object>();
let path: KernelPath = "simd128";

/**
 * Makes this thread's kernels the given path ("auto": FMA where the runtime compiles relaxed SIMD,
 * else SIMD128; the default at start-up). Forcing "fma" on a runtime that cannot run it throws
 * instead of falling back, so a test or benchmark never measures the other path by accident.
 * Returns the path now in use.
 */
export function selectKernelPath(want: KernelPath | "auto"): KernelPath {
  const p = resolveKernelPath(want);
  let mod = compiled.get(p);
  if (!mod) {
    mod = new Wasm.Module(Buffer.from(p === "fma" ? KERNELS_FMA_WASM_BASE64 : KERNELS_WASM_BASE64, "base64"));
    compiled.set(p, mod);
  }
  Object.assign(kernels, new Wasm.Instance(mod, { env: { memory } }).exports);
  path = p;
  return p;
}

/** The kernel path this thread's kernels run. */
export function kernelPath(): KernelPath {
  return path;
}

selectKernelPath("auto");

/**
 * A trial needs more memory than its budget (setArenaLimit) or than the host would give. Retrying
 * the same config cannot help: the worker fails the trial at once.
 */
export class TrialMemoryError extends Error {
  readonly code = "out_of_memory";
  constructor(readonly requestedBytes: number, readonly inUseBytes: number, readonly limitBytes: number | null) {
    const mb = (b: number) => `${Math.ceil(b / 2 ** 20)} MB`;
    super(
      limitBytes === null
        ? `out of memory: the host refused ${mb(requestedBytes)} more (${mb(inUseBytes)} in use)`
        : `out of memory: the trial needs more than its ${mb(limitBytes)} budget (${mb(inUseBytes)} in use, ${mb(requestedBytes)} more asked for)`,
    );
    this.name = "TrialMemoryError";
  }
}

let limit: number | null = null;

/** Caps the arena's bytes in use on this thread (null: no cap beyond the 2 GiB address space). */
export function setArenaLimit(bytes: number | null): void {
  if (bytes !== null && !(Number.isFinite(bytes) && bytes > 0)) throw new RangeError(`setArenaLimit: bytes must be > 0 or null, got ${bytes}`);
  limit = bytes;
}

/** n zeroed floats; a view into the arena (or, past 2 GiB, a plain Float32Array). Throws TrialMemoryError past the limit. */
export function alloc(n: number): Float32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`alloc: n must be a non-negative integer, got ${n}`);
  allocations++;
  const bytes = Math.ceil((n * 4) / 64) * 64;
  if (limit !== null && top - ARENA_BASE + bytes > limit) throw new TrialMemoryError(bytes, top - ARENA_BASE, limit);
  if (top + bytes > current.byteLength && !grow(top + bytes)) return plainArray(n, bytes);
  const view = new Float32Array(current, top, n);
  view.fill(0); // memory handed back by resetArena is dirty
  top += bytes;
  return view;
}

/** n zeroed int32s from the arena (e.g. max-pool argmax indices the kernels write); same rules as alloc. */
export function allocInt32(n: number): Int32Array {
  const f = alloc(n);
  return new Int32Array(f.buffer, f.byteOffset, n);
}

/** n zeroed float64s from the arena (per-channel statistics, averages the kernels keep in float64); same rules as alloc. */
export function allocFloat64(n: number): Float64Array {
  const f = alloc(2 * n);
  return new Float64Array(f.buffer, f.byteOffset, n);
}

/** The fallback past the arena's address space; a refusal of the OS becomes a TrialMemoryError. */
function plainArray(n: number, bytes: number): Float32Array {
  try {
    return new Float32Array(n);
  } catch (err) {
    if (err instanceof RangeError) throw new TrialMemoryError(bytes, top - ARENA_BASE, limit);
    throw err;
  }
}

function grow(needBytes: number): boolean {
  const have = current.byteLength / PAGE;
  const want = Math.min(MAX_PAGES, Math.max(Math.ceil(needBytes / PAGE), have * 2));
  if (want * PAGE < needBytes) return false;
  try {
    memory.grow(want - have);
  } catch {
    return false; // the OS refused to commit more: callers fall back to plain arrays
  }
  current = memory.buffer;
  buffers.push(current);
  return true;
}

/**
 * Byte address of element `off` of `arr` in the arena, or -1 if arr is not an arena view.
 * Cheap enough for every kernel call (identity checks against a handful of buffers).
 */
export function arenaAddress(arr: Float32Array | Int32Array | Float64Array, off: number): number {
  const b = arr.buffer;
  if (b !== current && !buffers.includes(b)) return -1;
  return arr.byteOffset + off * arr.BYTES_PER_ELEMENT;
}

/** Releases every buffer allocated on this thread (see the lifecycle above). */
export function resetArena(): void {
  top = ARENA_BASE;
}

/** An opaque position for `arenaRelease`. */
export function arenaMark(): number {
  return top;
}

/** Releases the buffers allocated after `mark` (they must no longer be used). */
export function arenaRelease(mark: number): void {
  if (!Number.isInteger(mark) || mark < ARENA_BASE || mark > top) throw new RangeError(`arenaRelease: invalid mark ${mark}`);
  top = mark;
}

/** Counters for tests and diagnostics: `allocations` counts alloc calls since the thread started. */
export function arenaStats(): { bytesInUse: number; bytesReserved: number; allocations: number } {
  return { bytesInUse: top - ARENA_BASE, bytesReserved: current.byteLength, allocations };
}

/**
 * Temporary arena space for the copying fallback: reserves n floats past `top` without moving it.
 * Valid until the next alloc/stage call. Returns the byte address, or -1 if it cannot grow.
 */
export function stage(bytesNeeded: number): number {
  const at = Math.ceil(top / 64) * 64;
  if (at + bytesNeeded > current.byteLength && !grow(at + bytesNeeded)) return -1;
  return at;
}

/** A Float32Array view of the arena at byte address `ptr` (for the copying fallback). */
export function arenaView(ptr: number, n: number): Float32Array {
  return new Float32Array(current, ptr, n);
}
