// @ts-check
/**
 * The search view's trial table as data: trials merged by id from the API's change feed
 * (`changedSince`), ordered as the API's `order=rank` orders them.
 */

/**
 * @typedef {{initialLoss: number|null, finalLoss: number|null, trainAccuracy: number|null, valAccuracy: number|null, valLoss: number|null, epochs: number}} TrialMetrics
 * @typedef {{id: string, searchId: string, round: number, index: number, params: Record<string, unknown>, status: string,
 *   stopReason: string|null, rank: number|null, attempts: number, workerId: string|null, metrics: TrialMetrics|null,
 *   diagnostics: string[], error: string|null, createdAt: string, startedAt: string|null, finishedAt: string|null,
 *   updatedAt?: string}} Trial
 */

/**
 * The API's rank order: rank ascending with unranked trials last, then round, then index.
 * @param {Trial} a
 * @param {Trial} b
 */
export function compareRank(a, b) {
  if (a.rank !== b.rank) {
    if (a.rank === null) return 1;
    if (b.rank === null) return -1;
    return a.rank - b.rank;
  }
  return a.round - b.round || a.index - b.index;
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
 * @returns {Trial[]}
 */
export const rankedTrials = (byId) => [...byId.values()].sort(compareRank);

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
