/** Small statistics over plain number arrays (float64). */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Population standard deviation. */
export function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

export function std32(xs: Float32Array): number {
  let s = 0, s2 = 0;
  for (const x of xs) {
    s += x;
    s2 += x * x;
  }
  const m = s / xs.length;
  return Math.sqrt(Math.max(0, s2 / xs.length - m * m));
}

/** Equal-width bin counts of xs over [lo, hi] (values outside are clamped into the end bins). */
export function histogram(xs: Float32Array, bins: number, lo: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * bins)))]++;
  return counts;
}

/** Rounds for JSON: 4 significant digits keeps the files readable and diffs small. */
export function r4(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : Number(x.toPrecision(4));
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
