import type { Assignment, Distribution, Space } from "@hps/contracts";
import { streamFor, type UniformStream } from "./prng.ts";
import { sortedPaths, type SampleRequest, type Sampler } from "./sampler.ts";
import { checkSpace } from "./validate-space.ts";

/**
 * Independent random sampling of every dimension (Bergstra & Bengio 2012; CS231n:
 * "random search beats grid search" because it tries more distinct values of the
 * dimensions that matter).
 *
 * - uniform:    low + u·(high − low), in [low, high)
 * - loguniform: exp(ln low + u·(ln high − ln low)) — uniform in log space, as
 *               CS231n recommends for learning rates and regularisation strengths
 * - int:        low + ⌊u·(high − low + 1)⌋, both bounds inclusive
 * - choice:     values[⌊u·n⌋], deep-copied
 *
 * Each value comes from its own stream keyed by (seed, round, trial index, path),
 * so a trial's values do not depend on `count`, on the key order of the space, or
 * on which other dimensions exist.
 */
export class RandomSampler implements Sampler {
  readonly name = "random";

  sample(space: Space, request: SampleRequest): Assignment[] {
    checkSpace(space);
    const paths = sortedPaths(space);
    const out: Assignment[] = [];
    const first = request.firstIndex ?? 0;
    for (let i = first; i < first + request.count; i++) out.push(randomAssignment(space, paths, request.seed, request.round, i));
    return out;
  }
}

/** Trial `index` of a random round: what RandomSampler gives it (TPE's start-up trials are these too). */
export function randomAssignment(space: Space, paths: readonly string[], seed: number, round: number, index: number): Assignment {
  const a: Assignment = {};
  for (const path of paths) a[path] = drawValue(space[path]!, streamFor(seed, round, index, path));
  return a;
}

/** One draw of `dist` from `rng`. Exported for other samplers that need the same marginals. */
export function drawValue(dist: Distribution, rng: UniformStream): unknown {
  const u = rng.next();
  switch (dist.type) {
    case "uniform":
      return clamp(dist.low + u * (dist.high - dist.low), dist.low, dist.high);
    case "loguniform": {
      const lo = Math.log(dist.low);
      const hi = Math.log(dist.high);
      // exp/log round-off can step just outside [low, high]: clamp.
      return clamp(Math.exp(lo + u * (hi - lo)), dist.low, dist.high);
    }
    case "int":
      return Math.min(dist.high, dist.low + Math.floor(u * (dist.high - dist.low + 1)));
    case "choice":
      return structuredClone(dist.values[Math.min(dist.values.length - 1, Math.floor(u * dist.values.length))]);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
