// @ts-check
/**
 * Pure formatting helpers (no DOM): numbers, durations, trial parameters, distributions
 * and the progress of a search. Missing values render as an em dash.
 */

/**
 * @typedef {{queued: number, running: number, completed: number, stopped: number, failed: number, cancelled: number, total: number}} Counts
 * @typedef {{type: string, low?: number, high?: number, points?: number, values?: unknown[]}} Distribution
 */

export const DASH = "—";

/** Trial states in the order the progress bar stacks them (finished first). */
export const PROGRESS_ORDER = /** @type {const} */ (["completed", "stopped", "failed", "cancelled", "running", "queued"]);

const FINAL_SEARCH = new Set(["completed", "cancelled", "failed"]);
const FINAL_TRIAL = new Set(["completed", "stopped", "failed", "cancelled"]);

/** @param {string} status */
export const isFinalSearch = (status) => FINAL_SEARCH.has(status);
/** @param {string} status */
export const isFinalTrial = (status) => FINAL_TRIAL.has(status);

/**
 * Nothing about the search will change any more: it is final and none of its trials is still
 * queued or running (a cancelled search is final while its running trials are being stopped).
 * @param {{status: string, counts?: Counts}} detail
 */
export const isSettled = (detail) => isFinalSearch(detail.status) && (!detail.counts || detail.counts.queued + detail.counts.running === 0);

/**
 * 3 significant digits; exponent notation for very small or large magnitudes.
 * @param {number | null | undefined} v
 * @param {number} [digits]
 */
export function fmtNum(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs < 1e-3 || abs >= 1e5) return v.toExponential(digits - 1).replace(/\.?0+e/, "e");
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

/**
 * An accuracy in [0, 1] as a percentage with one decimal.
 * @param {number | null | undefined} v
 */
export function fmtPct(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${(v * 100).toFixed(1)}%`;
}

/**
 * A sampled parameter value: numbers via fmtNum, strings as they are, the rest as compact JSON.
 * @param {unknown} v
 */
export function fmtValue(v) {
  if (v === null || v === undefined) return DASH;
  if (typeof v === "number") return fmtNum(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/**
 * @param {number | null | undefined} ms
 */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/**
 * How long ago an ISO time was, relative to `now` (ms since the epoch).
 * @param {string | null | undefined} iso
 * @param {number} now
 */
export function fmtAgo(iso, now) {
  if (!iso) return DASH;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return DASH;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

/**
 * The last segment of a dotted config path ("training.learningRate" → "learningRate").
 * @param {string} path
 */
export const shortPath = (path) => path.slice(path.lastIndexOf(".") + 1);

/**
 * One line describing a search-space dimension: "loguniform [0.001, 10]", "choice [32] | [64]".
 * @param {Distribution} d
 */
export function describeDist(d) {
  if (d.type === "choice") return `choice ${(d.values ?? []).map(fmtValue).join(" | ")}`;
  const range = `${d.type} [${fmtNum(d.low)}, ${fmtNum(d.high)}]`;
  return d.points ? `${range}, ${d.points} points` : range;
}

/**
 * Trials the search will run in all: the rounds created so far, plus the rounds still to come —
 * each at its own size when `strategy.rounds` lists per-round budgets, otherwise at the size of
 * the last round (a random strategy's `trials` before any round exists). Never less than the
 * trials that exist.
 * @param {{spec?: {strategy?: {trials?: number, rounds?: number | Array<{trials?: number}>}}, rounds?: Array<{trials: number}>, counts: Counts}} detail
 */
export function plannedTrials(detail) {
  const strategy = detail.spec?.strategy ?? {};
  const rounds = detail.rounds ?? [];
  const created = rounds.reduce((n, r) => n + r.trials, 0);
  const perRound = rounds.length > 0 ? rounds[rounds.length - 1].trials : (strategy.trials ?? 0);
  const listed = Array.isArray(strategy.rounds) ? strategy.rounds : null;
  const totalRounds = Math.max(listed ? listed.length : typeof strategy.rounds === "number" ? strategy.rounds : 1, rounds.length);
  let toCome = 0;
  for (let r = rounds.length; r < totalRounds; r++) toCome += listed ? (listed[r]?.trials ?? strategy.trials ?? 0) : perRound;
  return Math.max(detail.counts.total, created + toCome);
}

/** @param {Counts} c */
export const finishedCount = (c) => c.completed + c.stopped + c.failed + c.cancelled;

/**
 * Segments of a stacked progress bar: each non-empty state's share of `planned`.
 * @param {Counts} counts
 * @param {number} planned
 * @returns {Array<{status: string, count: number, fraction: number}>}
 */
export function progressSegments(counts, planned) {
  const whole = Math.max(planned, counts.total, 1);
  return PROGRESS_ORDER.filter((status) => counts[status] > 0).map((status) => ({ status, count: counts[status], fraction: counts[status] / whole }));
}
