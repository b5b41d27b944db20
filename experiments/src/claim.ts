/**
 * One claim of CS231n lecture 7 as an experiment. `run` is deterministic in its scale: every random
 * choice comes from the seeds it lists. "quick" keeps the unit tests to seconds (small sizes, the same
 * assertions); "full" is what `pnpm experiments` runs and commits into docs/experiments/.
 */
export type Scale = "quick" | "full";

/** One assertion of a claim, with the numbers that decide it. */
export interface Check {
  name: string;
  holds: boolean;
  detail: string;
}

export interface ClaimResult {
  /** The number that shows the claim, for the README gallery (one short phrase). */
  headline: string;
  checks: Check[];
  /** Everything the figure draws, JSON-safe. */
  numbers: Record<string, unknown>;
  svg: string;
  /** What was exercised: "core" (packages/core directly) or "search + core" (packages/search planning, core training). */
  method: string;
  seeds: number[];
}

export interface Skipped {
  skipped: string;
}

/** What a claim may use besides the core: the running product (started once per run, on first use). */
export interface RunContext {
  product(): Promise<import("./product.ts").Product>;
}

export interface Claim {
  id: number;
  slug: string;
  title: string;
  /** Runs through the public API (ctx.product): its quick version is an integration test (api-claims.test.ts). */
  api?: boolean;
  /** Claims about search go through the public API (ctx.product) and are async; the others are plain core calls. */
  run(scale: Scale, ctx: RunContext): ClaimResult | Skipped | Promise<ClaimResult | Skipped>;
}

export function isSkipped(r: ClaimResult | Skipped): r is Skipped {
  return "skipped" in r;
}

export function check(name: string, holds: boolean, detail: string): Check {
  return { name, holds, detail };
}
