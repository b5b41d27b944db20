// @ts-check
/**
 * View 1: the searches, newest first, a page at a time, each with its status and a progress
 * bar of its trial states. The page is re-read every tick (new searches appear); the detail
 * of a search (for its counts) until it has settled, with If-None-Match.
 */
import { h, fill } from "../dom.js";
import { DASH, fmtAgo, fmtNum, fmtPct, isSettled, plannedTrials } from "../format.js";
import { Poller } from "../poller.js";
import { badge, link, progressBar, searchHref, trialHref } from "../widgets.js";

export const PAGE_SIZE = 20;
/** Re-render at least this often so "… ago" columns stay true even when nothing changed. */
const RERENDER_MS = 15_000;

/**
 * @param {HTMLElement} root
 * @param {import("../main.js").Ctx} ctx
 * @param {{cursor: string | null}} params
 */
export function mountList(root, ctx, { cursor }) {
  const body = h("tbody");
  const pager = h("nav", { class: "pager" });
  const empty = h("p", { class: "muted", hidden: true }, "No searches yet. ", link("#/new", "Submit one"), " here or with POST /v1/searches (see the README).");
  fill(
    root,
    h("h1", {}, "Searches"),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "grid searches" },
        h("thead", {}, h("tr", {}, ["name", "status", "progress", "best", "created", "updated"].map((c) => h("th", { class: `col-${c}` }, c)))),
        body,
      ),
    ),
    empty,
    pager,
  );

  /** @type {Map<string, any>} search id → detail */
  const details = new Map();
  let lastPage = "";
  let lastRender = 0;

  async function tick() {
    const query = `limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = (await ctx.api.get(`/v1/searches?${query}`)).body;
    const live = page.items.filter((/** @type {any} */ s) => !(details.has(s.id) && isSettled(details.get(s.id))));
    const results = await Promise.all(live.map((/** @type {any} */ s) => ctx.api.get(`/v1/searches/${s.id}`)));
    let changed = JSON.stringify(page) !== lastPage;
    live.forEach((/** @type {any} */ s, /** @type {number} */ i) => {
      if (results[i].changed || !details.has(s.id)) changed = true;
      details.set(s.id, results[i].body);
    });
    if (changed || Date.now() - lastRender > RERENDER_MS) {
      render(page);
      lastPage = JSON.stringify(page);
      lastRender = Date.now();
    }
    ctx.setError(null);
    return true;
  }

  /** @param {{items: any[], nextCursor: string | null}} page */
  function render(page) {
    const now = Date.now();
    fill(body, page.items.map((s) => row(details.get(s.id) ?? s, now)));
    empty.hidden = page.items.length > 0;
    fill(
      pager,
      cursor ? link("#/", "← newest") : null,
      page.nextCursor ? link(`#/?cursor=${encodeURIComponent(page.nextCursor)}`, "older →") : null,
    );
  }

  const poller = new Poller(tick, { intervalMs: 2000, onError: (err) => ctx.setError(err), onState: ctx.setLive });
  poller.start();
  return { unmount: () => poller.stop() };
}

/**
 * One search's row; `s` is its detail when read, else the summary from the list.
 * @param {any} s
 * @param {number} now
 */
function row(s, now) {
  const metric = s.spec?.objective?.metric ?? "valAccuracy";
  const bestValue = s.best?.metrics?.[metric];
  const best = s.best ? link(trialHref(s.best.id), `${metric} ${metric.endsWith("Accuracy") ? fmtPct(bestValue) : fmtNum(bestValue)}`) : DASH;
  return h(
    "tr",
    {},
    h("td", {}, link(searchHref(s.id), s.name), h("div", { class: "muted mono small" }, s.id)),
    h("td", {}, badge(s.status)),
    h("td", { class: "progress-cell" }, s.counts ? progressBar(s.counts, plannedTrials(s)) : DASH),
    h("td", {}, best),
    h("td", { class: "col-created", title: s.createdAt }, fmtAgo(s.createdAt, now)),
    h("td", { class: "col-updated", title: s.updatedAt }, fmtAgo(s.updatedAt, now)),
  );
}
