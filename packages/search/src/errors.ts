import { MAX_TRIALS } from "@hps/contracts";

/**
 * Typed errors of the search package. Every one has a stable `code` and the
 * dotted `path` it concerns ("" for the whole space); the API turns any
 * `SearchError` into a 422 `{error, issues: [{path, message}]}`.
 */
export class SearchError extends Error {
  constructor(
    readonly code: string,
    /** Dotted path into the spec the error concerns, e.g. "space.training.learningRate" or "strategy". */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A space (or one of its dimensions) the requested strategy cannot use. */
export class InvalidSpace extends SearchError {
  constructor(
    code: "grid_points_missing" | "invalid_range" | "empty_choice" | "unknown_distribution",
    /** Dotted path of the dimension (a key of `space`). */
    readonly dimension: string,
    message: string,
  ) {
    super(code, `space.${dimension}`, message);
  }
}

/** A grid whose size (× rounds) exceeds MAX_TRIALS. */
export class GridTooLarge extends SearchError {
  constructor(
    /** Points in one round's grid. */
    readonly size: number,
    readonly rounds: number,
    readonly cap: number = MAX_TRIALS,
  ) {
    super(
      "grid_too_large",
      "space",
      rounds > 1
        ? `grid of ${fmt(size)} points × ${rounds} rounds = ${fmt(size * rounds)} trials exceeds the cap of ${fmt(cap)}`
        : `grid of ${fmt(size)} points exceeds the cap of ${fmt(cap)} trials`,
    );
  }
}

/** A random or TPE search whose trials (summed over its rounds) exceed MAX_TRIALS. */
export class TooManyTrials extends SearchError {
  constructor(
    readonly trials: number,
    readonly rounds: number,
    readonly cap: number = MAX_TRIALS,
  ) {
    super(
      "too_many_trials",
      "strategy",
      rounds > 1
        ? `${fmt(trials)} trials × ${rounds} rounds = ${fmt(trials * rounds)} trials exceeds the cap of ${fmt(cap)}`
        : `${fmt(trials)} trials exceed the cap of ${fmt(cap)}`,
    );
  }
}

function fmt(n: number): string {
  return Number.isFinite(n) && n < 1e21 ? Math.round(n).toLocaleString("en-US") : String(n);
}
