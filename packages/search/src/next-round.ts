import { baseConfigOf, setAtPath, TrialConfig, type Assignment, type SearchSpec, type Space, type StopReason, type TrialStatus } from "@hps/contracts";
import type { NarrowResult, Narrower } from "./narrower.ts";
import { rankTrials } from "./rank.ts";
import { ImportanceNarrower } from "./importance-narrower.ts";

/** A trial of the finished round as stored: its values, status and objective value. */
export interface RoundTrial {
  readonly id: string;
  readonly status: TrialStatus;
  readonly params: Assignment;
  /** See `objectiveValue`. */
  readonly objective: number | null;
  /** Why a stopped trial stopped; loss_exploded / non_finite mark it diverged (evidence for narrowing). */
  readonly stopReason?: StopReason | null;
}

export interface PlanNextSpaceOptions {
  /** Default: ImportanceNarrower. */
  readonly narrower?: Narrower;
  /** The finished round's keepFraction (`resolveRounds`). Default: the strategy's. */
  readonly keepFraction?: number;
}

/** Stop reasons that mean the trial's settings made training blow up. */
export const DIVERGED: readonly StopReason[] = ["loss_exploded", "non_finite"];

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
 * passes the diverged ones as evidence, and narrows `previousSpace` around the
 * top `keepFraction` of them (ImportanceNarrower unless another narrower is
 * passed), never widening a range to values the spec's config would reject.
 */
export function planNextSpace(
  spec: Pick<SearchSpec, "seed" | "dataset" | "model" | "training" | "earlyStopping" | "strategy" | "objective">,
  previousSpace: Space,
  trials: readonly RoundTrial[],
  options: PlanNextSpaceOptions = {},
): NarrowResult {
  const narrower = options.narrower ?? new ImportanceNarrower();
  const byId = new Map(trials.map((t) => [t.id, t]));
  const ranked = rankTrials(trials, spec.objective)
    .map((r) => byId.get(r.id)!)
    .filter((t) => t.status === "completed" && typeof t.objective === "number" && Number.isFinite(t.objective));
  return narrower.narrow({
    space: previousSpace,
    trials: ranked.map((t) => ({ params: t.params, objective: t.objective as number })),
    diverged: trials.filter((t) => t.status === "stopped" && t.stopReason && DIVERGED.includes(t.stopReason)).map((t) => ({ params: t.params })),
    keepFraction: options.keepFraction ?? spec.strategy.keepFraction,
    accepts: configAcceptor(spec),
  });
}
