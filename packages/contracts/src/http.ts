import { z } from "zod";
import { SearchSpec } from "./search-spec.ts";
import { Space } from "./space.ts";
import { StorableString } from "./storable.ts";
import { SearchStatus, StopReason, TrialStatus } from "./states.ts";
import { EpochMetrics, TrialMetrics } from "./metrics.ts";

/** One problem with a request: `path` is the dotted path of the offending field ("" = the whole body). */
export const Issue = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof Issue>;

export const ErrorCode = z.enum(["invalid_request", "unprocessable", "not_found", "unauthorized", "conflict", "payload_too_large", "internal"]);
export type ErrorCode = z.infer<typeof ErrorCode>;
export const ErrorBody = z.object({
  error: ErrorCode,
  message: z.string().optional(),
  issues: z.array(Issue).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const TrialCounts = z.object({
  queued: z.int(),
  running: z.int(),
  completed: z.int(),
  stopped: z.int(),
  failed: z.int(),
  cancelled: z.int(),
  total: z.int(),
});
export type TrialCounts = z.infer<typeof TrialCounts>;

export const Trial = z.object({
  id: z.uuid(),
  searchId: z.uuid(),
  round: z.int(),
  index: z.int(),
  /** The sampled values: dotted config path → value. */
  params: z.record(z.string(), z.unknown()),
  status: TrialStatus,
  stopReason: StopReason.nullable(),
  /** 1-based rank within the search by the objective; null until the trial is final. */
  rank: z.int().nullable(),
  attempts: z.int(),
  workerId: z.string().nullable(),
  metrics: TrialMetrics.nullable(),
  diagnostics: z.array(z.string()),
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type Trial = z.infer<typeof Trial>;

export const TrialWithCurve = Trial.extend({ curve: z.array(EpochMetrics) });
export type TrialWithCurve = z.infer<typeof TrialWithCurve>;

export const Round = z.object({
  index: z.int(),
  space: Space,
  /** Why each range differs from the previous round's (path → reason). */
  narrowing: z.record(z.string(), z.string()),
  trials: z.int(),
  finished: z.int(),
});
export type Round = z.infer<typeof Round>;

export const SearchSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  status: SearchStatus,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type SearchSummary = z.infer<typeof SearchSummary>;

export const SearchDetail = SearchSummary.extend({
  spec: SearchSpec,
  counts: TrialCounts,
  rounds: z.array(Round),
  best: Trial.nullable(),
  error: z.string().nullable(),
});
export type SearchDetail = z.infer<typeof SearchDetail>;

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const SearchPage = pageOf(SearchSummary);
export type SearchPage = z.infer<typeof SearchPage>;
export const TrialPage = pageOf(Trial);
export type TrialPage = z.infer<typeof TrialPage>;

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: StorableString.max(500).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const TrialListQuery = PageQuery.extend({
  status: TrialStatus.optional(),
  order: z.enum(["rank", "created"]).default("rank"),
  /**
   * Only trials updated after this point, oldest change first: an ISO datetime or the
   * `nextCursor` of a previous changedSince response (the dashboard's cheap poll).
   */
  changedSince: StorableString.min(1).max(500).optional(),
});
export type TrialListQuery = z.infer<typeof TrialListQuery>;

export const IdParams = z.strictObject({ id: z.uuid() });
export type IdParams = z.infer<typeof IdParams>;
