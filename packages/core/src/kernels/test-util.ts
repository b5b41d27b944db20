/** Helpers for the kernel tests: seeded random buffers and a float32 closeness check. */
import { Rng } from "../rng.ts";
import { alloc } from "./arena.ts";

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
