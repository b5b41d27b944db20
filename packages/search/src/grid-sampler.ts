import type { Assignment, Space } from "@hps/contracts";
import { gridValues } from "./grid-points.ts";
import { sortedPaths, type SampleRequest, type Sampler } from "./sampler.ts";

/**
 * The cartesian product of every dimension's grid values (see `gridValues`),
 * in row-major order over the sorted paths: the last path varies fastest, like
 * Python's itertools.product. The seed and round do not matter; `count` only
 * truncates (a grid returns at most `gridSize(space)` assignments; none past its end).
 * An empty space has one point: the base config itself.
 */
export class GridSampler implements Sampler {
  readonly name = "grid";

  sample(space: Space, request: SampleRequest): Assignment[] {
    const paths = sortedPaths(space);
    const axes = paths.map((p) => gridValues(p, space[p]!));
    const size = axes.reduce((n, a) => n * a.length, 1);
    const first = Math.max(0, request.firstIndex ?? 0);
    const end = Math.min(size, first + Math.max(0, request.count));
    const out: Assignment[] = [];
    for (let i = first; i < end; i++) {
      const a: Assignment = {};
      let rest = i;
      for (let d = paths.length - 1; d >= 0; d--) {
        const axis = axes[d]!;
        a[paths[d]!] = structuredClone(axis[rest % axis.length]);
        rest = Math.floor(rest / axis.length);
      }
      // Keep the canonical key order (sorted paths) in each assignment.
      out.push(Object.fromEntries(paths.map((p) => [p, a[p]])));
    }
    return out;
  }
}

/**
 * Number of points of the grid over `space` (after int de-duplication).
 * Throws InvalidSpace for a numeric dimension without `points`. May exceed
 * Number.MAX_SAFE_INTEGER for absurd spaces; compare against MAX_TRIALS only.
 */
export function gridSize(space: Space): number {
  let size = 1;
  for (const p of sortedPaths(space)) size *= gridValues(p, space[p]!).length;
  return size;
}
