import type { Distribution } from "@hps/contracts";
import { InvalidSpace } from "./errors.ts";
import { checkDistribution } from "./validate-space.ts";

/**
 * The values one dimension contributes to a grid.
 *
 * - choice:     its `values`, in order
 * - uniform:    `points` values linearly spaced over [low, high], endpoints included
 * - loguniform: `points` values geometrically spaced (linear in log space), endpoints included
 * - int:        `points` linearly spaced values rounded to integers, duplicates removed
 *               (so [1, 3] with 5 points gives 1, 2, 3)
 *
 * A single point (`points: 1`) is the range's midpoint (geometric midpoint for
 * loguniform), the most neutral single value. A numeric dimension without
 * `points` cannot be gridded: InvalidSpace("grid_points_missing").
 */
export function gridValues(path: string, dist: Distribution): unknown[] {
  checkDistribution(path, dist);
  if (dist.type === "choice") return dist.values.map((v) => structuredClone(v));
  const n = dist.points;
  if (n === undefined)
    throw new InvalidSpace(
      "grid_points_missing",
      path,
      `${path}: a ${dist.type} dimension needs "points" for a grid search (or use "type": "choice" with explicit values)`,
    );
  if (!Number.isInteger(n) || n < 1) throw new InvalidSpace("grid_points_missing", path, `${path}: points must be an integer ≥ 1 (got ${n})`);
  switch (dist.type) {
    case "uniform":
      return linspace(dist.low, dist.high, n);
    case "loguniform":
      return linspace(Math.log(dist.low), Math.log(dist.high), n).map((x, i) =>
        // Exact endpoints: exp(log(x)) need not round-trip.
        n > 1 && i === 0 ? dist.low : n > 1 && i === n - 1 ? dist.high : Math.exp(x),
      );
    case "int": {
      const seen = new Set<number>();
      for (const x of linspace(dist.low, dist.high, n)) seen.add(Math.round(x));
      return [...seen];
    }
  }
}

/** n values from lo to hi inclusive; n = 1 gives the midpoint. */
export function linspace(lo: number, hi: number, n: number): number[] {
  if (n === 1) return [(lo + hi) / 2];
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i === n - 1 ? hi : lo + ((hi - lo) * i) / (n - 1);
  return out;
}
