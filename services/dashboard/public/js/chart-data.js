// @ts-check
/**
 * The search page's charts as data (pure, no DOM): the API's columnar points
 * (GET /v1/searches/:id/points) turned into the arrays uPlot draws. Every array holds one entry
 * per trial that has the values a chart needs; nothing is sampled here (uPlot draws 100,000
 * points in a few tens of milliseconds; the parallel-coordinates lines are sampled by the server).
 */

/**
 * @typedef {{path: string, scale: "linear" | "log" | "choice", values: Array<number | null>, choices?: string[]}} ParamColumn
 * @typedef {{searchId: string, objective: {metric: string, goal: "minimize" | "maximize"}, n: number, round: number[], index: number[],
 *   status: number[], statuses: string[], stopReason: Array<number | null>, stopReasons: string[], value: Array<number | null>,
 *   finishOrder: Array<number | null>, trainAccuracy: Array<number | null>, valAccuracy: Array<number | null>, epochs: number[],
 *   params: ParamColumn[]}} ChartPoints
 * @typedef {{round: number, xs: number[], ys: number[], at: number[]}} Facet one round's points; `at` maps each back to its trial (index into the columns)
 */

/** Colours by round (cycled past seven rounds). */
export const ROUND_COLOURS = ["#2f5bd3", "#ea580c", "#16a34a", "#7c3aed", "#db2777", "#0891b2", "#ca8a04"];

/** @param {number} round */
export const roundColour = (round) => ROUND_COLOURS[round % ROUND_COLOURS.length];

/**
 * Points grouped by round (a scatter series per round, so each gets its colour and legend entry),
 * keeping those with both coordinates finite (and x > 0 on a log axis).
 * @param {ChartPoints} p
 * @param {(i: number) => number | null} x
 * @param {(i: number) => number | null} y
 * @param {{logX?: boolean}} [opts]
 * @returns {Facet[]} ordered by round
 */
export function facetsByRound(p, x, y, { logX = false } = {}) {
  /** @type {Map<number, Facet>} */
  const byRound = new Map();
  for (let i = 0; i < p.n; i++) {
    const xv = x(i);
    const yv = y(i);
    if (xv === null || yv === null || !Number.isFinite(xv) || !Number.isFinite(yv) || (logX && xv <= 0)) continue;
    let f = byRound.get(p.round[i]);
    if (!f) byRound.set(p.round[i], (f = { round: p.round[i], xs: [], ys: [], at: [] }));
    f.xs.push(xv);
    f.ys.push(yv);
    f.at.push(i);
  }
  return [...byRound.values()].sort((a, b) => a.round - b.round);
}

/**
 * The objective against one parameter (the lecture's "accuracy vs learning rate"): x is the
 * value, or a choice's index (with its label in `choices`).
 * @param {ChartPoints} p
 * @param {ParamColumn} col
 */
export function paramScatter(p, col) {
  return {
    path: col.path,
    log: col.scale === "log",
    choices: col.scale === "choice" ? col.choices ?? [] : null,
    facets: facetsByRound(p, (i) => col.values[i], (i) => p.value[i], { logX: col.scale === "log" }),
  };
}

/**
 * Each final trial's objective in finish order, and the best so far (by the objective's goal).
 * Trials without an objective (stopped, failed) keep their place in the order with a null value.
 * @param {ChartPoints} p
 * @returns {{x: number[], value: Array<number | null>, best: Array<number | null>, at: number[]}} at: trial index per x
 */
export function history(p) {
  const at = [];
  for (let i = 0; i < p.n; i++) if (p.finishOrder[i] !== null) at.push(i);
  at.sort((a, b) => /** @type {number} */ (p.finishOrder[a]) - /** @type {number} */ (p.finishOrder[b]));
  const better = p.objective.goal === "minimize" ? (/** @type {number} */ a, /** @type {number} */ b) => a < b : (/** @type {number} */ a, /** @type {number} */ b) => a > b;
  /** @type {number | null} */
  let best = null;
  const value = [];
  const bestSoFar = [];
  for (const i of at) {
    const v = p.value[i];
    if (v !== null && (best === null || better(v, best))) best = v;
    value.push(v);
    bestSoFar.push(best);
  }
  return { x: at.map((_, k) => k + 1), value, best: bestSoFar, at };
}

/**
 * Train against validation accuracy per trial (points below the diagonal overfit: the gap
 * the lecture says to read), grouped by round.
 * @param {ChartPoints} p
 */
export const accuracyGap = (p) => facetsByRound(p, (i) => p.trainAccuracy[i], (i) => p.valAccuracy[i]);

/**
 * Trials that stopped early, by reason ("loss_exploded" → 3), for the legend of the charts.
 * @param {ChartPoints} p
 * @returns {Array<[string, number]>}
 */
export function stoppedByReason(p) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (let i = 0; i < p.n; i++) {
    const r = p.stopReason[i];
    if (r === null) continue;
    const name = p.stopReasons[r];
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * One numeric parameter's range in each round (the narrowing), from the search's rounds; choices
 * give the number of values kept. Rounds without the parameter are left out.
 * @param {Array<{index: number, space: Record<string, {type: string, low?: number, high?: number, values?: unknown[]}>}>} rounds
 * @param {string} path
 * @returns {{log: boolean, choice: boolean, rounds: number[], low: number[], high: number[]}}
 */
export function roundRanges(rounds, path) {
  const out = { log: false, choice: false, rounds: /** @type {number[]} */ ([]), low: /** @type {number[]} */ ([]), high: /** @type {number[]} */ ([]) };
  for (const r of rounds) {
    const d = r.space[path];
    if (!d) continue;
    if (d.type === "choice") {
      out.choice = true;
      out.rounds.push(r.index);
      out.low.push(0);
      out.high.push(d.values?.length ?? 0);
    } else if (typeof d.low === "number" && typeof d.high === "number") {
      if (d.type === "loguniform") out.log = true;
      out.rounds.push(r.index);
      out.low.push(d.low);
      out.high.push(d.high);
    }
  }
  return out;
}

/** The dimensions named in any round, in first-seen order. @param {Array<{space: Record<string, unknown>}>} rounds */
export const roundPaths = (rounds) => [...new Set(rounds.flatMap((r) => Object.keys(r.space)))];

/**
 * Learning curves of a few trials on one epoch axis (uPlot's aligned data: x, then one array per
 * trial, null past the epochs it trained). A stopped trial's last epoch is where it stopped.
 * @param {Array<{curve: Array<{epoch: number, valLoss: number|null, valAccuracy: number|null}>}>} trials
 * @param {"valLoss" | "valAccuracy"} key
 * @returns {{epochs: number[], series: Array<Array<number | null>>}}
 */
export function alignedCurves(trials, key) {
  const last = Math.max(0, ...trials.flatMap((t) => t.curve.map((c) => c.epoch)));
  const epochs = Array.from({ length: last }, (_, i) => i + 1);
  const series = trials.map((t) => {
    /** @type {Array<number | null>} */
    const ys = epochs.map(() => null);
    for (const c of t.curve) {
      const v = c[key];
      // A diverged trial's loss may be Infinity or NaN: no point (its marker shows where it stopped).
      if (c.epoch >= 1 && c.epoch <= last) ys[c.epoch - 1] = v !== null && Number.isFinite(v) ? v : null;
    }
    return ys;
  });
  return { epochs, series };
}

/**
 * Ticks of one parallel-coordinates axis, as positions in [0, 1] (the server's layout) with labels:
 * powers of ten on a log axis (plus its ends), evenly spaced categories, or five linear steps.
 * @param {{scale: string, min: number | null, max: number | null, choices?: string[]}} axis
 * @param {(v: number) => string} fmt
 * @returns {Array<{pos: number, label: string}>}
 */
export function axisTicks(axis, fmt) {
  if (axis.scale === "choice") {
    const c = axis.choices ?? [];
    return c.map((label, k) => ({ pos: c.length <= 1 ? 0.5 : k / (c.length - 1), label }));
  }
  const { min, max } = axis;
  if (min === null || max === null) return [];
  if (min === max) return [{ pos: 0.5, label: fmt(min) }];
  if (axis.scale === "log" && min > 0) {
    const [l0, l1] = [Math.log10(min), Math.log10(max)];
    const ticks = [{ pos: 0, label: fmt(min) }];
    for (let e = Math.ceil(l0); e <= Math.floor(l1); e++) {
      const pos = (e - l0) / (l1 - l0);
      if (pos > 0.06 && pos < 0.94) ticks.push({ pos, label: fmt(10 ** e) });
    }
    ticks.push({ pos: 1, label: fmt(max) });
    return ticks;
  }
  return [0, 0.25, 0.5, 0.75, 1].map((pos) => ({ pos, label: fmt(min + (max - min) * pos) }));
}

/**
 * The search's `budget` in plain words.
 * @param {{epochsRun: number, epochsFullBudget: number, savedByDivergence: number, savedByPruning: number} | undefined} b
 * @returns {string[]}
 */
export function budgetSentences(b) {
  if (!b) return [];
  if (b.epochsFullBudget === 0) return ["No trial has trained yet."];
  const pct = (/** @type {number} */ n) => `${Math.round((100 * n) / b.epochsFullBudget)}%`;
  const out = [`Trials trained ${b.epochsRun} of the ${b.epochsFullBudget} epochs they would have run in full (${pct(b.epochsRun)}).`];
  if (b.savedByDivergence > 0) out.push(`Stopping diverged trials early saved ${b.savedByDivergence} epochs (${pct(b.savedByDivergence)}).`);
  if (b.savedByPruning > 0) out.push(`The pruner saved ${b.savedByPruning} epochs (${pct(b.savedByPruning)}) by stopping unpromising trials.`);
  if (b.savedByDivergence === 0 && b.savedByPruning === 0) out.push("No epoch was saved by early stopping.");
  return out;
}
