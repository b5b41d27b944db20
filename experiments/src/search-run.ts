import { baseConfigOf, SearchSpec, trialConfigFor, type Assignment, type TrialConfig } from "@hps/contracts";
import { type Dataset, train, type TrainResult } from "@hps/core";
import { objectiveValue, planRound } from "@hps/search";

/** One trained trial of a search round. */
export interface RunTrial {
  index: number;
  params: Assignment;
  config: TrialConfig;
  result: TrainResult;
  /** objectiveValue of its final metrics (null when stopped or not finite). */
  objective: number | null;
}

/**
 * Runs one round of a search the way the scheduler plans it and a worker trains it, in this thread:
 * planRound (packages/search) → trialConfigFor (contracts) → train (core) → objectiveValue (search).
 * No Postgres, queue or HTTP: the experiments measure strategies, not the service.
 * A stopped trial has no objective (the scheduler ranks stopped trials last the same way).
 */
export function runRound(specInput: unknown, opts: { round?: number; space?: SearchSpec["space"]; dataset?: Dataset } = {}): { spec: SearchSpec; trials: RunTrial[] } {
  const round = opts.round ?? 0;
  const space = opts.space;
  const spec = SearchSpec.parse(specInput);
  const assignments = planRound(spec, round, space ?? spec.space, spec.seed);
  const base = baseConfigOf(spec);
  const trials = assignments.map((params, index) => {
    const config = trialConfigFor(base, params);
    // A preloaded dataset (e.g. with a held-out part kept out of val) replaces the config's own split.
    const result = train(config, opts.dataset ? { dataset: opts.dataset } : {});
    const objective = result.status === "completed" ? objectiveValue(result.metrics, spec.objective) : null;
    return { index, params, config, result, objective };
  });
  return { spec, trials };
}

/** The best trial by objective (maximize/minimize per spec), or null when none has one. */
export function bestTrial(spec: SearchSpec, trials: readonly RunTrial[]): RunTrial | null {
  const sign = spec.objective.goal === "maximize" ? 1 : -1;
  let best: RunTrial | null = null;
  for (const t of trials) if (t.objective !== null && (best === null || sign * (t.objective - best.objective!) > 0)) best = t;
  return best;
}
