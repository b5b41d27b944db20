/**
 * The package's own seeded PRNG, so plans are reproducible across processes and
 * Node versions: a restarted scheduler re-plans exactly the same trials.
 *
 * `mulberry32` (Tommy Ettinger) has a 32-bit state and passes PractRand up to
 * 2^32 outputs — ample for at most MAX_TRIALS × dimensions draws per stream.
 * Streams are keyed (seed, round, trial index, dotted path) through `mix32`
 * (the murmur3 finaliser), so one value never depends on how many trials were
 * asked for or which other dimensions the space has.
 */

/** A stream of uniform numbers in [0, 1). */
export interface UniformStream {
  next(): number;
}

export function mulberry32(seed: number): UniformStream {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Combines integer keys (and strings, hashed) into one 32-bit stream seed. */
export function streamSeed(...keys: Array<number | string>): number {
  let h = 0x9e3779b9;
  for (const k of keys) {
    const v = typeof k === "string" ? hashString(k) : k >>> 0;
    h = mix32((h ^ v) + 0x9e3779b9 + ((h << 6) >>> 0) + (h >>> 2));
  }
  return h;
}

/** The stream of one (seed, round, trial index, path) key. */
export function streamFor(seed: number, round: number, index: number, path: string): UniformStream {
  return mulberry32(streamSeed(seed, round, index, path));
}
