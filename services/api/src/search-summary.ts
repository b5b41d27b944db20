/**
 * A search's `budget` and `diagnostics`, summarised on read from its started trials with
 * packages/search's pure functions (the API plans nothing; these only count and describe).
 * Always current: a round's end is reflected as soon as its trials are final.
 */
import type { Round, SearchDetail, StoredSearchDetail } from "@hps/contracts";
import type { Db, TrialFact } from "@hps/db";
import { budgetSummary, diagnoseSearch, resolveRounds } from "@hps/search";
import { VersionedCache } from "./versioned-cache.ts";

/** `editedEpochs`: epochs of the rounds the user appended, by index (they replace the spec's round of that index). */
export function withSummary(detail: StoredSearchDetail, trials: readonly TrialFact[], editedEpochs: ReadonlyMap<number, number> = new Map()): SearchDetail {
  const spec = detail.spec;
  const rounds = resolveRounds(spec.strategy, spec.training.epochs);
  const budgetOf = (round: number) => editedEpochs.get(round) ?? rounds[round]?.epochs ?? spec.training.epochs;
  const budget = budgetSummary(trials.map((t) => ({ status: t.status, stopReason: t.stopReason, epochsRun: t.epochs, epochsBudget: budgetOf(t.round) })));
  const diagnostics = diagnoseSearch({ space: spec.space, trials, objective: spec.objective });
  return { ...detail, rounds: publicRounds(detail), budget, diagnostics };
}

/** Each round with its epoch budget and pruner: the user's edit's where it replaced the round, else the spec's. */
export function publicRounds(detail: Pick<StoredSearchDetail, "spec" | "rounds">): Round[] {
  const { strategy, training } = detail.spec;
  const resolved = resolveRounds(strategy, training.epochs);
  return detail.rounds.map(({ edit, ...round }) => ({
    ...round,
    epochs: edit?.epochs ?? resolved[round.index]?.epochs ?? training.epochs,
    pruner: edit ? edit.pruner : (strategy.pruner ?? null),
    editedByUser: edit !== null,
  }));
}

/**
 * The summary needs every started trial (100,000 rows at the scale, ~1 s of reading
 * and diagnosing), but changes only with the search's trials: it is computed once per trial
 * version (search_stats.version) and shared by every poller; the rest of the detail is a few
 * primary-key reads per request.
 */
export class SearchSummaries {
  private readonly cache = new VersionedCache<Pick<SearchDetail, "budget" | "diagnostics">>(16);

  constructor(private readonly db: Pick<Db, "searches" | "rounds">) {}

  /** `trialsVersion` was read before `stored`'s other fields: the summary is at least that new. */
  async detail(stored: StoredSearchDetail, trialsVersion: bigint): Promise<SearchDetail> {
    const { budget, diagnostics } = await this.cache.get(stored.id, trialsVersion, async () => {
      // A user round's epochs matter only for its trials, whose insertion bumps the trial version.
      const [facts, editedEpochs] = await Promise.all([this.db.searches.trialFacts(stored.id), this.db.rounds.editedEpochs(stored.id)]);
      return withSummary(stored, facts, editedEpochs);
    });
    return { ...stored, rounds: publicRounds(stored), budget, diagnostics };
  }

  forget(searchId: string): void {
    this.cache.delete(searchId);
  }
}
