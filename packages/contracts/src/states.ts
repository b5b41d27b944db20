import { z } from "zod";

export const SearchStatus = z.enum(["queued", "running", "completed", "cancelled", "failed"]);
export type SearchStatus = z.infer<typeof SearchStatus>;

export const TrialStatus = z.enum(["queued", "running", "completed", "stopped", "failed", "cancelled"]);
export type TrialStatus = z.infer<typeof TrialStatus>;

/** Why a trial ended as `stopped` (or `cancelled`). */
export const StopReason = z.enum(["loss_exploded", "non_finite", "pruned", "cancelled", "timeout"]);
export type StopReason = z.infer<typeof StopReason>;

/** The statuses a trial never leaves. */
export const FinalTrialStatus = z.enum(["completed", "stopped", "failed", "cancelled"]);
export type FinalTrialStatus = z.infer<typeof FinalTrialStatus>;

const FINAL_TRIAL: ReadonlySet<TrialStatus> = new Set(FinalTrialStatus.options);
const FINAL_SEARCH: ReadonlySet<SearchStatus> = new Set(["completed", "cancelled", "failed"]);

/** A final trial never changes status again. */
export const isFinalTrial = (s: TrialStatus): boolean => FINAL_TRIAL.has(s);
export const isFinalSearch = (s: SearchStatus): boolean => FINAL_SEARCH.has(s);
/** Trials whose metrics take part in ranking (stopped trials rank after all of them). */
export const isRankable = (s: TrialStatus): boolean => s === "completed";

export const FINAL_TRIAL_STATUSES: FinalTrialStatus[] = [...FinalTrialStatus.options];
