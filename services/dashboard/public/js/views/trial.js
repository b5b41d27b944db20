// @ts-check
/**
 * View 3: one trial — its parameters, metrics, diagnostics and learning curves. Polls the
 * trial (If-None-Match) while it is queued or running; reads its search once, for the name
 * and the planned number of epochs.
 */
import { h, fill } from "../dom.js";
import { curveCharts } from "../chart.js";
import { DASH, fmtDuration, fmtNum, fmtPct, fmtValue, isFinalTrial } from "../format.js";
import { Poller } from "../poller.js";
import { badge, errorBox, kv, link, searchHref } from "../widgets.js";
import { stopText } from "./search-parts.js";

/**
 * @param {HTMLElement} root
 * @param {import("../main.js").Ctx} ctx
 * @param {{id: string}} params
 */
export function mountTrial(root, ctx, { id }) {
  const crumbs = h("nav", { class: "crumbs" });
  const head = h("header", { class: "view-head" });
  const facts = h("section", { class: "card" });
  const params = h("section", { class: "card" });
  const metrics = h("section", { class: "card" });
  const diagnostics = h("section", { class: "card" });
  const charts = h("div", { class: "charts" });
  fill(
    root,
    crumbs,
    head,
    h("div", { class: "cols three" }, facts, params, metrics),
    h("section", { class: "card" }, h("h2", {}, "Learning curves"), charts),
    diagnostics,
  );

  /** @type {any} */
  let search = null;

  async function tick() {
    const { body: t, changed } = await ctx.api.get(`/v1/trials/${encodeURIComponent(id)}`);
    if (!search) {
      search = (await ctx.api.get(`/v1/searches/${encodeURIComponent(t.searchId)}`)).body;
      changedAll(t);
    } else if (changed) {
      changedAll(t);
    }
    ctx.setError(null);
    return !isFinalTrial(t.status);
  }

  /** @param {any} t the trial with its curve */
  function changedAll(t) {
    const name = search?.name ?? t.searchId;
    const label = `trial ${t.round}.${t.index}`;
    document.title = `${label} · ${name} · hps`;
    fill(crumbs, link("#/", "Searches"), " / ", link(searchHref(t.searchId), name), " / ", h("span", {}, label));
    const stopped = stopText(t);
    fill(
      head,
      h("h1", {}, label, " ", badge(t.status), t.stopReason ? h("span", { class: "reason" }, t.stopReason) : null),
      stopped ? h("div", { class: "stop-banner", "data-stopped": t.stopReason ?? "" }, `× ${stopped}`) : null,
      t.error ? errorBox(t.error, "error") : null,
    );

    const started = t.startedAt ? Date.parse(t.startedAt) : null;
    const ended = t.finishedAt ? Date.parse(t.finishedAt) : t.status === "running" ? Date.now() : null;
    fill(
      facts,
      h("h2", {}, "Trial"),
      kv([
        ["rank", t.rank === null ? DASH : String(t.rank)],
        ["round / index", `${t.round} / ${t.index}`],
        ["attempts", String(t.attempts)],
        ["worker", t.workerId ?? DASH],
        ["started", t.startedAt ? new Date(t.startedAt).toLocaleString() : DASH],
        ["duration", started !== null && ended !== null ? fmtDuration(ended - started) : DASH],
        ["id", h("span", { class: "mono small" }, t.id)],
      ]),
    );
    fill(
      params,
      h("h2", {}, "Parameters"),
      Object.keys(t.params).length === 0 ? h("p", { class: "muted" }, "The base config (no sampled values).") : kv(Object.entries(t.params).map(([k, v]) => [k, fmtValue(v)])),
    );
    const m = t.metrics;
    const plannedEpochs = search?.spec?.training?.epochs;
    fill(
      metrics,
      h("h2", {}, "Metrics"),
      m
        ? kv([
            ["epochs", plannedEpochs ? `${m.epochs} / ${plannedEpochs}` : String(m.epochs)],
            ["val accuracy", fmtPct(m.valAccuracy)],
            ["train accuracy", fmtPct(m.trainAccuracy)],
            ["val loss", fmtNum(m.valLoss)],
            ["final loss", fmtNum(m.finalLoss)],
            ["initial loss", fmtNum(m.initialLoss)],
          ])
        : h("p", { class: "muted" }, "No metrics yet."),
    );
    fill(charts, curveCharts(t.curve, { final: isFinalTrial(t.status) }));
    fill(
      diagnostics,
      h("h2", {}, "Diagnostics"),
      t.diagnostics.length === 0
        ? h("p", { class: "muted" }, isFinalTrial(t.status) ? "None." : "Written when the trial finishes.")
        : h("ul", { class: "diagnostics" }, t.diagnostics.map((/** @type {string} */ d) => h("li", {}, d))),
    );
  }

  const poller = new Poller(tick, { intervalMs: 1500, onError: (err) => ctx.setError(err), onState: ctx.setLive });
  poller.start();
  return { unmount: () => poller.stop() };
}
