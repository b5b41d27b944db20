import { baseConfigOf, setAtPath, TrialConfig, type Assignment, type SearchSpec, type Space, type TrialStatus } from "@hps/contracts";
import type { NarrowResult, Narrower } from "./narrower.ts";
import { rankTrials } from "./rank.ts";
import { TopFractionNarrower } from "./top-fraction-narrower.ts";

/** A trial of the finished round as stored: its values, status and objective value. */
export interface RoundTrial {
  readonly id: string;
  readonly status: TrialStatus;
  readonly params: Assignment;
  /** See `objectiveValue`. */
  readonly objective: number | null;
}

/**
 * `accepts` for a narrower: may `value` be written at `path` of this spec's base
 * config? (E.g. momentum must stay < 1, dropout ≤ 0.95, hidden widths ≥ 1.)
 */
export function configAcceptor(spec: Pick<SearchSpec, "seed" | "dataset" | "model" | "training" | "earlyStopping">): (path: string, value: number) => boolean {
  const base = baseConfigOf(spec);
  return (path, value) => TrialConfig.safeParse(setAtPath(base, path, value)).success;
}

/**
 * The next round's space from a finished round: ranks the round's trials
 * (`rankTrials`), keeps completed trials with a finite objective, best first,
 * and narrows `previousSpace` around the top `strategy.keepFraction` of them
 * (TopFractionNarrower unless another narrower is passed), never widening a
 * range to values the spec's config would reject.
 */
export function planNextSpace(
  spec: Pick<SearchSpec, "seed" | "dataset" | "model" | "training" | "earlyStopping" | "strategy" | "objective">,
  previousSpace: Space,
  trials: readonly RoundTrial[],
  narrower: Narrower = new TopFractionNarrower(),
): NarrowResult {
  const byId = new Map(trials.map((t) => [t.id, t]));
  const ranked = rankTrials(trials, spec.objective)
    .map((r) => byId.get(r.id)!)
    .filter((t) => t.status === "completed" && typeof t.objective === "number" && Number.isFinite(t.objective));
  return narrower.narrow({
    space: previousSpace,
    trials: ranked.map((t) => ({ params: t.params, objective: t.objective as number })),
    keepFraction: spec.strategy.keepFraction,
    accepts: configAcceptor(spec),
  });
}
