import { z } from "zod";
import { Pruner, SearchSpec } from "./search-spec.ts";
import { Space } from "./space.ts";
import { StorableString } from "./storable.ts";
import { SearchStatus, StopReason, TrialStatus } from "./states.ts";
import { EpochMetrics, TrialMetrics } from "./metrics.ts";
import { SearchBudget, SearchDiagnostics } from "./search-summary.ts";

/** One problem with a request: `path` is the dotted path of the offending field ("" = the whole body). */
export const Issue = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof Issue>;

export const ErrorCode = z.enum(["invalid_request", "unprocessable", "not_found", "unauthorized", "forbidden", "conflict", "payload_too_large", "rate_limited", "internal"]);
export type ErrorCode = z.infer<typeof ErrorCode>;
export const ErrorBody = z.object({
  error: ErrorCode,
  message: z.string().optional(),
  issues: z.array(Issue).optional(),
  /** The request's id (also in the X-Request-Id response header and every log line of the request). */
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** ErrorBody narrowed to the one code a status answers with (the error handler's mapping, as the document states it). */
const errorBodyOf = <C extends ErrorCode>(code: C) => ErrorBody.extend({ error: z.literal(code) });
/** 400 and 415: a malformed body or query (issues name the fields), or a body that is not JSON. */
export const InvalidRequestBody = errorBodyOf("invalid_request");
export const UnauthorizedBody = errorBodyOf("unauthorized");
/** 403: a read-only key (HPS_READ_KEYS) on a mutation. */
export const ForbiddenBody = errorBodyOf("forbidden");
export const NotFoundBody = errorBodyOf("not_found");
export const ConflictBody = errorBodyOf("conflict");
export const PayloadTooLargeBody = errorBodyOf("payload_too_large");
/** 422: well-formed but impossible (grid too large, unknown dataset, unbuildable model); every issue at once. */
export const UnprocessableBody = errorBodyOf("unprocessable").extend({ issues: z.array(Issue) });
export const RateLimitedBody = errorBodyOf("rate_limited");
/** 5xx: no details (they are logged with the request id). */
export const InternalErrorBody = z.object({ error: z.literal("internal") });

/** The body each error status answers with, for every route that can answer it. */
export const ERROR_BODIES = {
  400: InvalidRequestBody,
  401: UnauthorizedBody,
  403: ForbiddenBody,
  404: NotFoundBody,
  409: ConflictBody,
  413: PayloadTooLargeBody,
  415: InvalidRequestBody,
  422: UnprocessableBody,
  429: RateLimitedBody,
  500: InternalErrorBody,
} as const;

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

const RoundBase = z.object({
  index: z.int(),
  space: Space,
  /** Why each range differs from the previous round's (path → reason). */
  narrowing: z.record(z.string(), z.string()),
  trials: z.int(),
  finished: z.int(),
});
/** A round as storage holds it: `edit` is the user's round (POST /v1/searches/:id/rounds) that replaced the automatic one of its index. */
export const StoredRound = RoundBase.extend({ edit: z.object({ epochs: z.int(), pruner: Pruner.nullable() }).nullable() });
export type StoredRound = z.infer<typeof StoredRound>;
/** A round as the API shows it, with the budget each of its trials was given and the pruner that judged them. */
export const Round = RoundBase.extend({
  epochs: z.int().describe("Epochs each trial of the round trains (the round's budget)."),
  pruner: Pruner.nullable().describe("The pruner asked at each epoch of the round's trials; null: none."),
  editedByUser: z.boolean().describe("The round was appended by POST /v1/searches/:id/rounds (its epochs and pruner are the edit's)."),
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

/** What storage returns of a search; the API adds the budget and diagnostics summarised from its trials. */
export const StoredSearchDetail = SearchSummary.extend({
  spec: SearchSpec,
  counts: TrialCounts,
  rounds: z.array(StoredRound),
  best: Trial.nullable(),
  error: z.string().nullable(),
});
export type StoredSearchDetail = z.infer<typeof StoredSearchDetail>;
export const SearchDetail = StoredSearchDetail.extend({ rounds: z.array(Round), budget: SearchBudget, diagnostics: SearchDiagnostics });
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

/** DELETE /v1/searches/:id: `force=true` deletes a queued or running search too (it is cancelled first). */
export const DeleteSearchQuery = z.strictObject({
  force: z.enum(["true", "false"]).default("false").describe("Delete a queued or running search too (else 409). Default false."),
});
export type DeleteSearchQuery = z.infer<typeof DeleteSearchQuery>;
export type IdParams = z.infer<typeof IdParams>;
