/**
 * A search's `budget` and `diagnostics`, summarised on read from its started trials with
 * packages/search's pure functions (the API plans nothing; these only count and describe).
 * Always current: a round's end is reflected as soon as its trials are final.
 */
import type { Round, SearchDetail, SearchSpec, StoredRound, StoredSearchDetail } from "@hps/contracts";
import type { Db, TrialFact } from "@hps/db";
import { budgetSummary, diagnoseSearch, resolveRounds } from "@hps/search";
import { VersionedCache } from "./versioned-cache.ts";

export function withSummary(detail: StoredSearchDetail, trials: readonly TrialFact[]): SearchDetail {
  const spec = detail.spec;
  const epochsOf = roundEpochs(spec);
  const edits = new Map(detail.rounds.map((r) => [r.index, r.edit]));
  const budget = budgetSummary(trials.map((t) => ({ status: t.status, stopReason: t.stopReason, epochsRun: t.epochs, epochsBudget: epochsOf(t.round, edits.get(t.round) ?? null) })));
  const diagnostics = diagnoseSearch({ space: spec.space, trials, objective: spec.objective });
  return { ...detail, rounds: publicRounds(detail), budget, diagnostics };
}

/** Each round with its epoch budget and pruner: the user's edit's where it replaced the round, else the spec's. */
export function publicRounds(detail: Pick<StoredSearchDetail, "spec" | "rounds">): Round[] {
  const epochsOf = roundEpochs(detail.spec);
  return detail.rounds.map(({ edit, ...round }) => ({
    ...round,
    epochs: epochsOf(round.index, edit),
    pruner: edit ? edit.pruner : (detail.spec.strategy.pruner ?? null),
    editedByUser: edit !== null,
  }));
}

/** A round's epochs per trial: the user's edit's, else the spec's round's (past the spec's rounds, training.epochs). */
function roundEpochs(spec: SearchSpec): (index: number, edit: StoredRound["edit"]) => number {
  const resolved = resolveRounds(spec.strategy, spec.training.epochs);
  return (index, edit) => edit?.epochs ?? resolved[index]?.epochs ?? spec.training.epochs;
}

/**
 * The summary needs every started trial (100,000 rows at the scale, ~1 s of reading
 * and diagnosing), but changes only with the search's trials: it is computed once per trial
 * version (search_stats.version) and shared by every poller; the rest of the detail is a few
 * primary-key reads per request.
 */
export class SearchSummaries {
  private readonly cache = new VersionedCache<Pick<SearchDetail, "budget" | "diagnostics">>(16);

  constructor(private readonly db: Pick<Db, "searches">) {}

  /** `trialsVersion` was read before `stored`'s other fields: the summary is at least that new. */
  async detail(stored: StoredSearchDetail, trialsVersion: bigint): Promise<SearchDetail> {
    const { budget, diagnostics } = await this.cache.get(stored.id, trialsVersion, async () => {
      // A user round's epochs (in `stored`'s rounds) matter only for its trials, whose insertion bumps the trial version.
      return withSummary(stored, await this.db.searches.trialFacts(stored.id));
    });
    return { ...stored, rounds: publicRounds(stored), budget, diagnostics };
  }

  forget(searchId: string): void {
    this.cache.delete(searchId);
  }
}
