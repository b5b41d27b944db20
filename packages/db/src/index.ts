// The public surface of @hps/db: a narrow handle (createDb), its types, the migration runner,
// the embedded Postgres and the typed errors. Tests seed rows through "@hps/db/test-kit".
export * from "./db.ts";
export * from "./migrate.ts";
export * from "./embedded-postgres.ts";
export * from "./errors.ts";
export type { WakeListener } from "./wakeups.ts";
export type { ClaimResult, ClaimRequest } from "./trial-claim.ts";
export type { TrialOutcome, RunState, FinishRequest } from "./trial-runs-repo.ts";
export type { NewSearch, SearchKey, SearchList, CancelResult, TrialFact } from "./searches-repo.ts";
export type { TrialOrder, TrialKey, ChangeKey, TrialListOptions, TrialList, ChangedTrials } from "./trials-read-repo.ts";
export type { LockedSearchRepo, LockedSearch, RoundInfo, RoundCounts, NewTrial, FinalTrial } from "./reconcile-repo.ts";
export type { ChartRow, ChartRows } from "./chart-rows-repo.ts";
export type { NewDataset, DatasetKey } from "./datasets-repo.ts";
export type { StoredArtifact, RankedModel } from "./trial-artifacts-repo.ts";
export type { RoundEditContext, ResolvedRoundEdit, AppendResult } from "./rounds-repo.ts";
