import type { Distribution, Space } from "@hps/contracts";
import { InvalidSpace } from "./errors.ts";

/**
 * Checks what the zod schema already checks at submission (low < high, finite
 * bounds, loguniform low > 0, non-empty choices), because samplers also receive
 * spaces built by a narrower or read back from storage.
 */
export function checkDistribution(path: string, dist: Distribution): void {
  switch (dist.type) {
    case "choice":
      if (!Array.isArray(dist.values) || dist.values.length === 0)
        throw new InvalidSpace("empty_choice", path, `${path}: choice needs at least one value`);
      return;
    case "uniform":
    case "loguniform":
    case "int":
      if (!Number.isFinite(dist.low) || !Number.isFinite(dist.high) || !(dist.low < dist.high))
        throw new InvalidSpace("invalid_range", path, `${path}: low (${dist.low}) must be < high (${dist.high}), both finite`);
      if (dist.type === "loguniform" && !(dist.low > 0))
        throw new InvalidSpace("invalid_range", path, `${path}: loguniform needs low > 0 (got ${dist.low})`);
      if (dist.type === "int" && (!Number.isInteger(dist.low) || !Number.isInteger(dist.high)))
        throw new InvalidSpace("invalid_range", path, `${path}: int bounds must be integers (got ${dist.low}, ${dist.high})`);
      return;
    default:
      throw new InvalidSpace("unknown_distribution", path, `${path}: unknown distribution type ${JSON.stringify((dist as { type?: unknown }).type)}`);
  }
}

export function checkSpace(space: Space): void {
  for (const [path, dist] of Object.entries(space)) checkDistribution(path, dist);
}
