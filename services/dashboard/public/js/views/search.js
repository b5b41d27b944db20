// @ts-check
/**
 * View 2: one search. Each tick reads the search (If-None-Match: usually a 304) and then the
 * trials changed since the last tick (the API's `changedSince` feed, starting from "0" so
 * the first tick loads them all), merges them by id and re-renders only what changed; the
 * charts read their data only when the search's version moved. A search planning more than
 * FEED_MAX trials does not hold them all: its table (and the curves' choice of top trials)
 * reads only the rows shown, from the server's ranked pages, when the search's version moved.
 * Polling stops once the search is final and none of its trials is queued or running.
 */
import { h, fill } from "../dom.js";
import { budgetSentences } from "../chart-data.js";
import { roundsChart } from "../charts/rounds-chart.js";
import { isFinalSearch, isSettled, plannedTrials } from "../format.js";
import { Poller } from "../poller.js";
import { mergeTrials, paramKeys, rankedTrials } from "../trials.js";
import { badge, errorBox, link, progressBar } from "../widgets.js";
import { roundForm } from "./round-form.js";
import { SearchCharts } from "./search-charts.js";
import { bestHeadline, roundsTable, summary, trialsTable } from "./search-parts.js";

/** Trials per change-feed request (the API's maximum page size). */
const FEED_PAGE = 500;
/**
 * Above this many planned trials the page reads ranked pages instead of every trial: at 100,000
 * trials the whole feed is 200 requests and a 100k-entry merge and sort on the main thread, for a
 * table that shows 50 rows.
 */
const FEED_MAX = 2000;
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
    story: h("div"),
    roundsChart: h("div", { class: "chart-body", "data-chart": "rounds" }),
    rounds: h("div", { class: "table-scroll" }),
    nextRound: h("details", { class: "next-round" }),
    trials: h("div", { class: "table-scroll" }),
    more: h("div", { class: "more" }),
  };
  const charts = new SearchCharts(ctx, id);
  const next = roundForm(ctx, id, () => poller.refresh());
  fill(el.nextRound, h("summary", {}, "Edit the next round"), next.form);
  fill(
    root,
    h("nav", { class: "crumbs" }, link("#/", "Searches"), " / ", h("span", { class: "mono" }, id)),
    el.head,
    el.progress,
    h("div", { class: "cols" }, el.summary, h("section", { class: "card" }, h("h2", {}, "Best trial"), el.best, h("h2", { class: "sub" }, "What happened"), el.story)),
    charts.el,
    h("section", { class: "card" }, h("h2", {}, "Rounds"), el.roundsChart, el.rounds, el.nextRound),
    h("section", { class: "card" }, h("h2", {}, "Trials by rank"), el.trials, el.more),
  );

  /** @type {any} */
  let detail = null;
  /** @type {Map<string, import("../trials.js").Trial>} */
  const trials = new Map();
  let feedCursor = "0"; // the feed from its start: the first tick loads every trial
  let rows = ROWS_STEP;
  let rowsRead = 0; // large searches: how many ranked rows the held trials are (0: read again)
  let cancelling = false;

  async function tick() {
    const d = await ctx.api.get(`/v1/searches/${encodeURIComponent(id)}`);
    const detailChanged = d.changed || detail === null;
    detail = d.body;
    if (detailChanged) renderDetail();
    await charts.updatePoints(detail, detailChanged);
    let trialsChanged = 0;
    if (plannedTrials(detail) <= FEED_MAX) {
      for (;;) {
        const q = `changedSince=${encodeURIComponent(feedCursor)}&limit=${FEED_PAGE}`;
        const page = (await ctx.api.get(`/v1/searches/${encodeURIComponent(id)}/trials?${q}`)).body;
        trialsChanged += mergeTrials(trials, page.items);
        feedCursor = page.nextCursor ?? feedCursor;
        if (page.items.length < FEED_PAGE) break;
      }
    } else if (detailChanged || rowsRead < rows) {
      do trialsChanged = await readRankedRows(); // again if "show more" was clicked meanwhile
      while (rowsRead < rows);
    }
    if (detailChanged || trialsChanged > 0) renderTrials();
    await charts.updateCurves(detail, trials);
    ctx.setError(null);
    return !isSettled(detail);
  }

  /** The first `rows` trials in the server's rank order (keyset pages), replacing the held ones. */
  async function readRankedRows() {
    /** @type {import("../trials.js").Trial[]} */
    const items = [];
    const want = rows;
    /** @type {string | null} */
    let cursor = null;
    while (items.length < want) {
      /** @type {string} */
      const q = `order=rank&limit=${Math.min(FEED_PAGE, want - items.length)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      /** @type {{items: import("../trials.js").Trial[], nextCursor: string | null}} */
      const page = (await ctx.api.get(`/v1/searches/${encodeURIComponent(id)}/trials?${q}`)).body;
      items.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    trials.clear();
    rowsRead = want;
    return mergeTrials(trials, items);
  }

  function renderDetail() {
    document.title = `${detail.name} · hps`;
    const live = !isFinalSearch(detail.status);
    fill(
      el.head,
      h("h1", {}, detail.name, " ", badge(detail.status)),
      h(
        "div",
        { class: "actions" },
        h("a", { class: "button", href: `#/new?from=${encodeURIComponent(id)}`, "data-action": "clone" }, "Clone"),
        live ? h("button", { class: "danger", onclick: onCancel, disabled: cancelling, "data-action": "cancel" }, cancelling ? "cancelling…" : "Cancel search") : null,
      ),
      detail.error ? errorBox(detail.error, "search failed") : null,
    );
    fill(el.progress, h("h2", {}, "Trials"), progressBar(detail.counts, plannedTrials(detail), { legend: true }));
    fill(el.summary, h("h2", {}, "Spec"), summary(detail));
    const ranges = roundsChart(detail.rounds);
    fill(el.roundsChart, ranges);
    el.roundsChart.dataset.drawn = String(ranges.querySelectorAll("rect").length);
    fill(el.rounds, roundsTable(detail.rounds));
    el.nextRound.hidden = detail.status === "cancelled" || detail.status === "failed";
    next.seed(detail.rounds.at(-1)?.space);
    fill(el.best, bestHeadline(detail.best, detail.spec.objective.metric));
    const diagnostics = Array.isArray(detail.diagnostics) ? detail.diagnostics : [];
    fill(
      el.story,
      h(
        "ul",
        { class: "diagnostics", "data-summary": "budget" },
        budgetSentences(detail.budget).map((t) => h("li", {}, t)),
      ),
      diagnostics.length > 0
        ? h("ul", { class: "diagnostics", "data-summary": "diagnostics" }, diagnostics.map((/** @type {string} */ t) => h("li", {}, t)))
        : h("p", { class: "muted small" }, isSettled(detail) ? "No search-level advice: nothing looked wrong." : "Advice appears as rounds end."),
    );
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
    const hidden = Math.max(ranked.length, detail.counts.total) - rows;
    fill(
      el.more,
      hidden > 0 ? h("button", { onclick: showMore }, `show ${Math.min(hidden, ROWS_STEP)} more (${hidden} not shown)`) : null,
    );
  }

  function showMore() {
    rows += ROWS_STEP;
    // A large search holds only the rows shown: the next tick reads the longer page.
    if (plannedTrials(detail) > FEED_MAX) poller.refresh();
    else renderTrials();
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
  return {
    unmount: () => {
      poller.stop();
      charts.destroy();
    },
  };
}
