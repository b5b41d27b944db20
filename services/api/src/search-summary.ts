/**
 * A search's `budget` and `diagnostics`, summarised on read from its started trials with
 * packages/search's pure functions (the API plans nothing; these only count and describe).
 * Always current: a round's end is reflected as soon as its trials are final.
 */
import type { SearchDetail, StoredSearchDetail } from "@hps/contracts";
import type { TrialFact } from "@hps/db";
import { budgetSummary, diagnoseSearch, resolveRounds } from "@hps/search";

/** `editedEpochs`: epochs of the rounds the user appended, by index (they replace the spec's round of that index). */
export function withSummary(detail: StoredSearchDetail, trials: readonly TrialFact[], editedEpochs: ReadonlyMap<number, number> = new Map()): SearchDetail {
  const spec = detail.spec;
  const rounds = resolveRounds(spec.strategy, spec.training.epochs);
  const budgetOf = (round: number) => editedEpochs.get(round) ?? rounds[round]?.epochs ?? spec.training.epochs;
  const budget = budgetSummary(trials.map((t) => ({ status: t.status, stopReason: t.stopReason, epochsRun: t.epochs, epochsBudget: budgetOf(t.round) })));
  const diagnostics = diagnoseSearch({ space: spec.space, trials, objective: spec.objective });
  return { ...detail, budget, diagnostics };
}
