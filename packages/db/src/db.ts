/**
 * The database as services see it: one narrow handle per process, grouped by caller, whose
 * functions take and return contract types (or this package's small row types). Prisma, pg
 * and SQL stay inside packages/db; nothing else imports them.
 */
import type { EpochMetrics } from "@hps/contracts";
import { closeConn, openConn, type ConnectionOptions } from "./connection.ts";
import {
  cancelQueuedTrialsOfCancelledSearches,
  liveSearchIds,
  withSearchLock,
  type LockedSearchRepo,
} from "./reconcile-repo.ts";
import { cancelSearch, createSearch, deleteSearch, getSearchDetail, listSearches, searchVersion, statusTotals, trialFacts, type NewSearch, type SearchKey } from "./searches-repo.ts";
import { chartRows, trialsVersion } from "./chart-rows-repo.ts";
import { Batcher } from "./batcher.ts";
import { claimTrials, type ClaimRequest, type ClaimResult } from "./trial-claim.ts";
import { failTrial, finishTrials, isSearchCancelled, type FinishRequest, recordEpochs, releaseTrial, roundValuesAt, runStates, type TrialOutcome } from "./trial-runs-repo.ts";
import { currentChangeKey, getTrialWithCurve, listChangedTrials, listTrials, type ChangeKey, type TrialListOptions } from "./trials-read-repo.ts";
import { getTrialArtifact, topModels } from "./trial-artifacts-repo.ts";
import { listenForWakeups, notifyScheduler } from "./wakeups.ts";
import { appendRoundEdit, type ResolvedRoundEdit, type RoundEditContext } from "./rounds-repo.ts";
import { createDataset, deleteDataset, getDataset, getDatasetContent, listDatasets, type DatasetKey, type NewDataset } from "./datasets-repo.ts";
import type { TrialStatus } from "@hps/contracts";

export interface DbOptions extends ConnectionOptions {
  /**
   * Largest number of concurrent claims (and of finishes) sent as one statement (default 64;
   * 1 turns batching off). See batcher.ts.
   */
  runBatch?: number;
}

export interface Db {
  /** The API's searches: store, list, read, cancel; status totals for /metrics. */
  readonly searches: {
    create(input: NewSearch): ReturnType<typeof createSearch>;
    list(opts: { limit: number; after?: SearchKey }): ReturnType<typeof listSearches>;
    /** The detail plus its `version` (the ETag's value, read before the rest). */
    get(id: string): ReturnType<typeof getSearchDetail>;
    /** Its started trials, for the budget and search-level diagnostics. */
    trialFacts(id: string): ReturnType<typeof trialFacts>;
    /** The search's version alone (one primary-key read), null when there is no such search. */
    version(id: string): Promise<string | null>;
    cancel(id: string): ReturnType<typeof cancelSearch>;
    /** Deletes the search and everything it owns; 409 semantics for a live one unless force. */
    delete(id: string, opts: { force: boolean }): Promise<void>;
    statusTotals(): ReturnType<typeof statusTotals>;
  };
  /** The API's user-appended rounds (the scheduler starts them; see rounds-repo.ts). */
  readonly rounds: {
    append(searchId: string, resolve: (ctx: RoundEditContext) => Promise<ResolvedRoundEdit> | ResolvedRoundEdit): ReturnType<typeof appendRoundEdit>;
  };
  /** The API's trial reads. */
  readonly trials: {
    list(searchId: string, opts: TrialListOptions): ReturnType<typeof listTrials>;
    changed(searchId: string, opts: { limit: number; since: ChangeKey; status?: TrialStatus }): ReturnType<typeof listChangedTrials>;
    /** Where the changes feed stands now (poll from it to see only later changes); null: no such search. */
    changeHead(searchId: string): Promise<ChangeKey | null>;
    get(id: string): ReturnType<typeof getTrialWithCurve>;
    /** Every trial's chart columns with the trial version they were read at (the charts' ETag). */
    chartRows(searchId: string): ReturnType<typeof chartRows>;
    /** The search's trial version alone (one primary-key read); null: no such search. */
    version(searchId: string): Promise<string | null>;
  };
  /** Uploaded datasets: the API stores, lists, reads, deletes; workers read metadata and content. */
  readonly datasets: {
    create(input: NewDataset): ReturnType<typeof createDataset>;
    list(opts: { limit: number; after?: DatasetKey }): ReturnType<typeof listDatasets>;
    get(id: string): ReturnType<typeof getDataset>;
    /** The stored content by sha256 (what workers fetch once and cache). */
    content(sha256: string): ReturnType<typeof getDatasetContent>;
    delete(id: string): Promise<void>;
  };
  /** The API's model reads: a trial's stored artifact (trial_artifacts), or null. */
  readonly models: {
    get(trialId: string): ReturnType<typeof getTrialArtifact>;
    /** The best-ranked k trials of a search that kept an artifact of this format, best first. */
    top(searchId: string, k: number, format: string): ReturnType<typeof topModels>;
  };
  /** The worker's run of a trial: claim → progress → finish | fail | release, fenced by attempt. */
  readonly runs: {
    claim(trialId: string, workerId: string): Promise<ClaimResult>;
    recordEpochs(trialId: string, attempt: number, epochs: readonly EpochMetrics[]): Promise<boolean>;
    finish(trialId: string, attempt: number, outcome: TrialOutcome): Promise<boolean>;
    fail(trialId: string, error: string, attempt?: number): Promise<boolean>;
    release(trialId: string, attempt: number): Promise<boolean>;
    states(runs: ReadonlyArray<{ trialId: string; attempt: number }>): ReturnType<typeof runStates>;
    isSearchCancelled(searchId: string): Promise<boolean>;
    /** The other trials of this trial's round: their stored values of `metric` at `epoch`. */
    roundValuesAt(trialId: string, epoch: number, metric: "valAccuracy" | "valLoss" | "trainAccuracy" | "trainLoss"): Promise<number[]>;
  };
  /** The scheduler's reconcile passes. */
  readonly scheduler: {
    liveSearchIds(): Promise<string[]>;
    cancelQueuedTrialsOfCancelledSearches(): Promise<number>;
    withSearchLock<T>(searchId: string, fn: (repo: LockedSearchRepo) => Promise<T>): Promise<{ value: T } | null>;
  };
  /** Wake-ups between processes (LISTEN/NOTIFY). */
  readonly wakeups: {
    notify(hint?: string): Promise<void>;
    listen(onWake: (hint: string) => void): ReturnType<typeof listenForWakeups>;
  };
  /** Resolves when Postgres answers a trivial query. */
  ping(): Promise<void>;
  /** Ends the pool; the handle is done afterwards. Idempotent. */
  close(): Promise<void>;
}

export function createDb(opts: DbOptions): Db {
  const c = openConn(opts);
  let closing: Promise<void> | null = null;
  // The worker's two per-trial statements, group-committed (batcher.ts); other callers are not hot.
  const maxBatch = opts.runBatch ?? 64;
  const claims = new Batcher<ClaimRequest, ClaimResult>({ run: (reqs) => claimTrials(c, reqs), key: (r) => r.trialId, maxBatch });
  const finishes = new Batcher<FinishRequest, boolean>({ run: (reqs) => finishTrials(c, reqs), key: (r) => r.trialId, maxBatch });
  return {
    searches: {
      create: (input) => createSearch(c, input),
      list: (o) => listSearches(c, o),
      trialFacts: (id) => trialFacts(c, id),
      get: (id) => getSearchDetail(c, id),
      version: (id) => searchVersion(c, id),
      cancel: (id) => cancelSearch(c, id),
      delete: (id, o) => deleteSearch(c, id, o),
      statusTotals: () => statusTotals(c),
    },
    rounds: {
      append: (searchId, resolve) => appendRoundEdit(c, searchId, resolve),
    },
    trials: {
      list: (searchId, o) => listTrials(c, searchId, o),
      changed: (searchId, o) => listChangedTrials(c, searchId, o),
      changeHead: (searchId) => currentChangeKey(c, searchId),
      get: (id) => getTrialWithCurve(c, id),
      chartRows: (searchId) => chartRows(c, searchId),
      version: (searchId) => trialsVersion(c, searchId),
    },
    datasets: {
      create: (input) => createDataset(c, input),
      list: (o) => listDatasets(c, o),
      get: (id) => getDataset(c, id),
      content: (sha256) => getDatasetContent(c, sha256),
      delete: (id) => deleteDataset(c, id),
    },
    models: {
      get: (trialId) => getTrialArtifact(c, trialId),
      top: (searchId, k, format) => topModels(c, searchId, k, format),
    },
    runs: {
      claim: (trialId, workerId) => claims.call({ trialId, workerId }),
      recordEpochs: (trialId, attempt, epochs) => recordEpochs(c, trialId, attempt, epochs),
      finish: (trialId, attempt, outcome) => finishes.call({ trialId, attempt, outcome }),
      fail: (trialId, error, attempt) => failTrial(c, trialId, error, attempt),
      release: (trialId, attempt) => releaseTrial(c, trialId, attempt),
      states: (runs) => runStates(c, runs),
      isSearchCancelled: (searchId) => isSearchCancelled(c, searchId),
      roundValuesAt: (trialId, epoch, metric) => roundValuesAt(c, trialId, epoch, metric),
    },
    scheduler: {
      liveSearchIds: () => liveSearchIds(c),
      cancelQueuedTrialsOfCancelledSearches: () => cancelQueuedTrialsOfCancelledSearches(c),
      withSearchLock: (searchId, fn) => withSearchLock(c, searchId, fn),
    },
    wakeups: {
      notify: (hint) => notifyScheduler(c, hint),
      listen: (onWake) => listenForWakeups(c.url, onWake),
    },
    ping: async () => {
      await c.pool.query("SELECT 1");
    },
    close: () => (closing ??= closeConn(c)),
  };
}
