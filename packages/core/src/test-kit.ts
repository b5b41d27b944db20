/**
 * The core's test kit: seeded inputs and closeness checks for the *.test.ts files. Unless a helper
 * says otherwise its buffers come from the arena (`alloc`), like the activations layers pass each
 * other, so the WebAssembly kernel paths are the ones tested.
 */
import { expect } from "vitest";
import type { GradCheckResult } from "./gradcheck.ts";
import { arenaAddress } from "./kernels/arena.ts";
import { alloc, allocInt32 } from "./kernels/index.ts";
import { Rng } from "./rng.ts";

/** An arena copy of values. */
export function arena(values: ArrayLike<number>): Float32Array {
  const a = alloc(values.length);
  a.set(values);
  return a;
}

/** n standard normals times scale. */
export function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const a = alloc(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

/** n normals pushed at least gap away from 0, so a kink at 0 is never within a small step. */
export function awayFromZero(rng: Rng, n: number, gap = 0.1): Float32Array {
  const a = randn(rng, n);
  for (let i = 0; i < n; i++) a[i] = a[i]! >= 0 ? a[i]! + gap : a[i]! - gap;
  return a;
}

/** n distinct values spaced by `gap` in random order (no two closer than gap: no max ties within a step). */
export function distinct(rng: Rng, n: number, gap = 0.1): Float32Array {
  const a = alloc(n);
  for (let i = 0; i < n; i++) a[i] = (i - n / 2) * gap;
  return rng.shuffle(a);
}

/** An Rng whose uniform() replays one fixed sequence of `period` draws (a fixed dropout mask). */
export class ReplayRng extends Rng {
  private readonly seq: number[];
  private i = 0;
  constructor(seed: number, period: number) {
    super(seed);
    const src = new Rng(seed);
    this.seq = Array.from({ length: period }, () => src.uniform());
  }
  override uniform(): number {
    const u = this.seq[this.i]!;
    this.i = (this.i + 1) % this.seq.length;
    return u;
  }
}

/** n uniform floats in [-1, 1), from the arena (`arena`) or a plain Float32Array. */
export function randomArray(rng: Rng, n: number, arena: boolean): Float32Array {
  const a = arena ? alloc(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.uniform() - 1;
  return a;
}

/** Largest |a − b| / (1 + |b|) over the first n elements (NaN counts as infinitely far unless both NaN). */
export function maxRelDiff(a: Float32Array, b: Float32Array, n = b.length): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const d = Math.abs(x - y) / (1 + Math.abs(y));
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

/**
 * A copy of `a` in the arena (asserted, so the WebAssembly path runs on it) or in a plain array (so a
 * kernel takes its fallback): the two sides of a kernel-versus-fallback comparison get copies of the
 * same inputs.
 */
export function copyOf<T extends Float32Array | Int32Array>(a: T, inArena: boolean): T {
  let c: Float32Array | Int32Array;
  if (!inArena) c = a instanceof Int32Array ? new Int32Array(a.length) : new Float32Array(a.length);
  else c = a instanceof Int32Array ? allocInt32(a.length) : alloc(a.length);
  if (inArena && arenaAddress(c, 0) < 0) throw new Error("copyOf: the arena gave a plain array; the comparison would not run the kernel");
  c.set(a);
  return c as T;
}

/**
 * The two modes of the kernel tests. "arena views": the WebAssembly kernel against its TypeScript
 * twin. "plain arrays (fallback)": a kernel called on non-arena buffers (which takes its fallback)
 * against the WebAssembly kernel on arena copies of the same inputs — not against the twin, which is
 * what the fallback runs, so that comparison could not fail.
 */
export const KERNEL_MODES: readonly { where: string; subject: KernelSide; reference: KernelSide }[] = [
  { where: "arena views", subject: { arena: true, twin: false }, reference: { arena: false, twin: true } },
  { where: "plain arrays (fallback)", subject: { arena: false, twin: false }, reference: { arena: true, twin: false } },
];

/** One side of a kernel comparison: where its buffers live and whether it calls the twin. */
export interface KernelSide {
  arena: boolean;
  twin: boolean;
}

/**
 * Bounds of a passing gradient check (gradcheck.ts), float32 forward passes with h = 1e-2:
 *  - norm-wise, ‖a − n‖₂ / (‖a‖₂ + ‖n‖₂) < 1e-4: what centred differences on float32 reach (every
 *    layer check measured ≤ 2.1e-5), and what a systematic error of a fraction of a percent in
 *    one gradient — invisible to a 1% elementwise bound — exceeds;
 *  - element-wise, |a − n| / max(|a|, |n|, floor) < 1e-2: single entries near a kink or near 0
 *    carry the whole forward's float32 rounding divided by 2h, so this bound stays loose (the
 *    floor is gradCheck's); it catches a wrong sign or a missing term in one element.
 */
export const GRAD_NORM_TOL = 1e-4;
export const GRAD_ELEMENT_TOL = 1e-2;

/** Asserts both bounds on one checked tensor; `what` names it in a failure. */
export function expectGradientMatches(r: GradCheckResult | undefined, what: string): void {
  expect(r, `${what}: not checked`).toBeDefined();
  expect(r!.checked, `${what}: elements checked`).toBeGreaterThan(0);
  expect(r!.normRelError, `${what}: norm-wise relative error`).toBeLessThan(GRAD_NORM_TOL);
  expect(r!.maxRelError, `${what}: element-wise relative error (at ${r!.index}: ${r!.analytic} vs ${r!.numeric})`).toBeLessThan(GRAD_ELEMENT_TOL);
}
