// @ts-check
/**
 * View 2: one search. Each tick reads the search (If-None-Match: usually a 304) and then the
 * trials changed since the last tick (the API's `changedSince` feed, starting from "0" so
 * the first tick loads them all), merges them by id and re-renders only what changed. Polling
 * stops once the search is final and none of its trials is queued or running.
 */
import { h, fill } from "../dom.js";
import { curveCharts } from "../chart.js";
import { isFinalSearch, isSettled, plannedTrials } from "../format.js";
import { Poller } from "../poller.js";
import { mergeTrials, paramKeys, rankedTrials } from "../trials.js";
import { badge, errorBox, link, progressBar } from "../widgets.js";
import { bestHeadline, roundsTable, summary, trialsTable } from "./search-parts.js";

/** Trials per change-feed request (the API's maximum page size). */
const FEED_PAGE = 500;
/** Rows of the trial table shown at first; "show more" adds as many again. */
const ROWS_STEP = 50;

/**
 * @param {HTMLElement} root
 * @param {import("../main.js").Ctx} ctx
 * @param {{id: string}} params
 */
export function mountSearch(root, ctx, { id }) {
  const el = {
    head: h("header", { class: "view-head" }),
    progress: h("section", { class: "card" }),
    summary: h("section", { class: "card" }),
    best: h("div"),
    bestCharts: h("div", { class: "charts" }),
    rounds: h("section", { class: "card" }),
    trials: h("div", { class: "table-scroll" }),
    more: h("div", { class: "more" }),
  };
  fill(
    root,
    h("nav", { class: "crumbs" }, link("#/", "Searches"), " / ", h("span", {}, id)),
    el.head,
    el.progress,
    h("div", { class: "cols" }, el.summary, h("section", { class: "card" }, h("h2", {}, "Best trial"), el.best, el.bestCharts)),
    el.rounds,
    h("section", { class: "card" }, h("h2", {}, "Trials by rank"), el.trials, el.more),
  );

  /** @type {any} */
  let detail = null;
  /** @type {Map<string, import("../trials.js").Trial>} */
  const trials = new Map();
  let feedCursor = "0"; // the feed from its start: the first tick loads every trial
  let bestShown = "";
  let rows = ROWS_STEP;
  let cancelling = false;

  async function tick() {
    const d = await ctx.api.get(`/v1/searches/${encodeURIComponent(id)}`);
    const detailChanged = d.changed || detail === null;
    detail = d.body;
    let trialsChanged = 0;
    for (;;) {
      const q = `changedSince=${encodeURIComponent(feedCursor)}&limit=${FEED_PAGE}`;
      const page = (await ctx.api.get(`/v1/searches/${encodeURIComponent(id)}/trials?${q}`)).body;
      trialsChanged += mergeTrials(trials, page.items);
      feedCursor = page.nextCursor ?? feedCursor;
      if (page.items.length < FEED_PAGE) break;
    }
    if (detailChanged) renderDetail();
    if (detailChanged || trialsChanged > 0) renderTrials();
    await loadBest();
    ctx.setError(null);
    return !isSettled(detail);
  }

  function renderDetail() {
    document.title = `${detail.name} · hps`;
    const live = !isFinalSearch(detail.status);
    fill(
      el.head,
      h("h1", {}, detail.name, " ", badge(detail.status)),
      h("div", { class: "actions" }, live ? h("button", { class: "danger", onclick: onCancel, disabled: cancelling }, cancelling ? "cancelling…" : "Cancel search") : null),
      detail.error ? errorBox(detail.error, "search failed") : null,
      Array.isArray(detail.diagnostics) && detail.diagnostics.length > 0 ? h("ul", { class: "diagnostics" }, detail.diagnostics.map((/** @type {string} */ t) => h("li", {}, t))) : null,
    );
    fill(el.progress, h("h2", {}, "Trials"), progressBar(detail.counts, plannedTrials(detail), { legend: true }));
    fill(el.summary, h("h2", {}, "Spec"), summary(detail));
    fill(el.rounds, h("h2", {}, "Rounds"), roundsTable(detail.rounds));
    fill(el.best, bestHeadline(detail.best, detail.spec.objective.metric));
  }

  function renderTrials() {
    const ranked = rankedTrials(trials, detail.spec.objective);
    const { metric, goal } = detail.spec.objective;
    const unranked = ranked.some((t) => t.rank === null && t.status === "completed");
    fill(
      el.trials,
      unranked ? h("p", { class: "muted small" }, `Trials get their rank when their round ends; until then completed ones are ordered by ${metric} (${goal}).`) : null,
      ranked.length === 0 ? h("p", { class: "muted" }, "No trials yet.") : trialsTable(ranked.slice(0, rows), paramKeys(detail, ranked)),
    );
    const hidden = ranked.length - rows;
    fill(
      el.more,
      hidden > 0 ? h("button", { onclick: () => ((rows += ROWS_STEP), renderTrials()) }, `show ${Math.min(hidden, ROWS_STEP)} more (${hidden} not shown)`) : null,
    );
  }

  /** The best trial's curves: read when the best trial changes (a completed trial's curve is final). */
  async function loadBest() {
    const best = detail.best;
    if (!best) {
      if (bestShown) fill(el.bestCharts);
      bestShown = "";
      return;
    }
    if (best.id === bestShown) return;
    const t = (await ctx.api.get(`/v1/trials/${encodeURIComponent(best.id)}`)).body;
    fill(el.bestCharts, curveCharts(t.curve, { final: true }));
    bestShown = best.id;
  }

  async function onCancel() {
    if (!confirm(`Cancel search "${detail.name}"? Queued trials are cancelled and running ones stop.`)) return;
    cancelling = true;
    renderDetail();
    try {
      await ctx.api.cancel(id);
      ctx.setError(null, { action: true });
    } catch (err) {
      ctx.setError(err, { action: true });
    } finally {
      cancelling = false;
      renderDetail();
      poller.refresh();
    }
  }

  const poller = new Poller(tick, { intervalMs: 1500, onError: (err) => ctx.setError(err), onState: ctx.setLive });
  poller.start();
  return { unmount: () => poller.stop() };
}
