/**
 * Which of the two kernel modules (wat-source.ts) this runtime can run: SIMD128 everywhere, the
 * relaxed-SIMD FMA one where WebAssembly relaxed SIMD compiles. Node ≥ 22 has it on by default;
 * Node 20 (V8 11.3) only behind `--experimental-wasm-relaxed-simd`. The flag is process-wide and
 * V8 reads it when a module is compiled, so setting it here, before the kernels compile, turns the
 * fast path on for this thread and for every worker thread, whichever compiles first (measured on
 * Node 20.20: validate() goes from false to true, in the main thread and in workers; the FMA
 * kernels then pass the same tests as on Node 24).
 */
import { setFlagsFromString } from "node:v8";

export type KernelPath = "simd128" | "fma";
/** Every path, in the order tests and benchmarks run them. */
export const KERNEL_PATHS: readonly KernelPath[] = ["simd128", "fma"];

/** (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd …)): 40 bytes that only validate with relaxed SIMD. */
const PROBE = Buffer.from("AGFzbQEAAAABCAFgA3t7ewF7AwIBAAcFAQFmAAAKDQELACAAIAEgAv2FAgs=", "base64");

const validate = (bytes: Uint8Array): boolean =>
  (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);

let supported: boolean | null = null;

/** Whether the FMA module can run here; on Node 20 this turns on V8's relaxed-SIMD flag first. */
export function relaxedSimdSupported(): boolean {
  if (supported === null) {
    if (!validate(PROBE)) setFlagsFromString("--experimental-wasm-relaxed-simd");
    supported = validate(PROBE);
  }
  return supported;
}

/** The path "auto" resolves to: FMA where it runs, else SIMD128. */
export function bestKernelPath(): KernelPath {
  return relaxedSimdSupported() ? "fma" : "simd128";
}

/** Every path this runtime runs, in KERNEL_PATHS order: SIMD128 always, FMA where relaxed SIMD compiles. */
export function runnableKernelPaths(): KernelPath[] {
  return KERNEL_PATHS.filter((p) => p !== "fma" || relaxedSimdSupported());
}

/**
 * The concrete path a request resolves to on this runtime, without switching any kernels: "auto" →
 * bestKernelPath(); "fma" where relaxed SIMD does not compile throws (never a silent fallback).
 */
export function resolveKernelPath(want: KernelPath | "auto"): KernelPath {
  const p = want === "auto" ? bestKernelPath() : want;
  if (p === "fma" && !relaxedSimdSupported()) {
    throw new Error("the FMA kernels need WebAssembly relaxed SIMD (Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd), which this runtime does not compile");
  }
  return p;
}

/** Parses a path name from a caller's option or env value ("auto" or a KernelPath), naming what it got. */
export function parseKernelPath(value: string): KernelPath | "auto" {
  if (value === "auto" || (KERNEL_PATHS as readonly string[]).includes(value)) return value as KernelPath | "auto";
  throw new RangeError(`kernel path must be one of auto, ${KERNEL_PATHS.join(", ")}; got ${JSON.stringify(value)}`);
}
