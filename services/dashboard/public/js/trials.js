// @ts-check
/**
 * The search view's trial table as data: trials merged by id from the API's change feed
 * (`changedSince`), ordered by rank (and by objective while a round has no ranks yet).
 */

/**
 * @typedef {{initialLoss: number|null, finalLoss: number|null, trainAccuracy: number|null, valAccuracy: number|null, valLoss: number|null, epochs: number}} TrialMetrics
 * @typedef {{id: string, searchId: string, round: number, index: number, params: Record<string, unknown>, status: string,
 *   stopReason: string|null, rank: number|null, attempts: number, workerId: string|null, metrics: TrialMetrics|null,
 *   diagnostics: string[], error: string|null, createdAt: string, startedAt: string|null, finishedAt: string|null,
 *   updatedAt?: string}} Trial
 */

/** Where each objective metric sits in a trial's `metrics` (the final train loss is `finalLoss`). */
const METRIC_FIELD = /** @type {const} */ ({ valAccuracy: "valAccuracy", valLoss: "valLoss", trainAccuracy: "trainAccuracy", trainLoss: "finalLoss" });

/**
 * The objective value of a completed trial, else null (only completed trials are ranked).
 * @param {Trial} t
 * @param {{metric: string}} objective
 */
export function objectiveOf(t, objective) {
  if (t.status !== "completed" || !t.metrics) return null;
  const field = METRIC_FIELD[/** @type {keyof typeof METRIC_FIELD} */ (objective.metric)];
  const v = field ? t.metrics[field] : null;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * The table's order: ranked trials by rank (the API's `order=rank`), then — while a round is
 * still running and its trials have no rank yet — completed trials by their objective value,
 * best first, then the rest; ties by round, then index.
 * @param {{metric: string, goal: string}} objective
 * @returns {(a: Trial, b: Trial) => number}
 */
export function rankOrder(objective) {
  const sign = objective.goal === "minimize" ? 1 : -1;
  return (a, b) => {
    if (a.rank !== b.rank) {
      if (a.rank === null) return 1;
      if (b.rank === null) return -1;
      return a.rank - b.rank;
    }
    if (a.rank === null) {
      const va = objectiveOf(a, objective);
      const vb = objectiveOf(b, objective);
      if (va !== vb) {
        if (va === null) return 1;
        if (vb === null) return -1;
        return sign * (va - vb);
      }
    }
    return a.round - b.round || a.index - b.index;
  };
}

/**
 * Upserts `items` (oldest change first, so a later copy of a trial wins) into `byId`.
 * Returns how many entries actually changed (a copy equal to the held one is not a change).
 * @param {Map<string, Trial>} byId
 * @param {Trial[]} items
 */
export function mergeTrials(byId, items) {
  let changed = 0;
  for (const t of items) {
    const held = byId.get(t.id);
    if (held && JSON.stringify(held) === JSON.stringify(t)) continue;
    byId.set(t.id, t);
    changed++;
  }
  return changed;
}

/**
 * @param {Map<string, Trial>} byId
 * @param {{metric: string, goal: string}} objective
 * @returns {Trial[]}
 */
export const rankedTrials = (byId, objective) => [...byId.values()].sort(rankOrder(objective));

/**
 * The parameter columns of a search: the spec's space keys first, then any key a later round
 * or a trial has that the spec does not (kept in first-seen order).
 * @param {{spec?: {space?: Record<string, unknown>}, rounds?: Array<{space: Record<string, unknown>}>}} detail
 * @param {Iterable<Trial>} [trials]
 */
export function paramKeys(detail, trials = []) {
  const keys = new Set(Object.keys(detail.spec?.space ?? {}));
  for (const r of detail.rounds ?? []) for (const k of Object.keys(r.space)) keys.add(k);
  for (const t of trials) for (const k of Object.keys(t.params)) keys.add(k);
  return [...keys];
}

/**
 * What to show in a trial's "outcome" cell: the stop reason for stopped/cancelled trials,
 * the first line of the error for failed ones, else empty.
 * @param {Trial} t
 */
export function outcomeOf(t) {
  if (t.status === "failed" && t.error) return t.error.split("\n", 1)[0];
  return t.stopReason ?? "";
}
