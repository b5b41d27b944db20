// @ts-check
/** Render functions of the search view (pure of I/O): summary, rounds, best trial, trial table. */
import { h } from "../dom.js";
import { DASH, describeDist, fmtNum, fmtPct, fmtValue, shortPath } from "../format.js";
import { outcomeOf } from "../trials.js";
import { badge, kv, link, trialHref } from "../widgets.js";

/** @typedef {import("../trials.js").Trial} Trial */

/**
 * What the search is: objective, strategy, dataset, model, base training settings.
 * @param {any} d the search detail
 */
export function summary(d) {
  const { spec } = d;
  const st = spec.strategy;
  const strategy = [st.type, st.trials !== undefined ? `${st.trials} trials/round` : null, `${st.rounds ?? 1} round(s)`, `parallelism ${st.parallelism}`];
  const tr = spec.training ?? {};
  return kv([
    ["objective", `${spec.objective.goal} ${spec.objective.metric}`],
    ["strategy", strategy.filter(Boolean).join(", ")],
    ["dataset", `${spec.dataset.name} (${spec.dataset.trainSize ?? "?"} train / ${spec.dataset.valSize ?? "?"} val)`],
    ["model", modelText(spec.model ?? {})],
    ["training", `${tr.optimizer}, ${tr.epochs} epochs, batch ${tr.batchSize}, lr ${fmtNum(tr.learningRate)}${tr.l2 ? `, l2 ${fmtNum(tr.l2)}` : ""}`],
    ["created", new Date(d.createdAt).toLocaleString()],
  ]);
}

/** @param {any} m the spec's model */
function modelText(m) {
  const parts = [m.type ?? "mlp"];
  if (m.type === "cnn") parts.push(`${m.conv?.length ?? 0} conv blocks`);
  parts.push(`hidden ${JSON.stringify(m.hidden ?? [])}`, m.activation ?? "relu");
  if (m.batchNorm) parts.push("batch norm");
  if (m.dropout) parts.push(`dropout ${m.dropout}`);
  return parts.join(", ");
}

/**
 * One row per round: progress, its budget (epochs, pruner), its space, and why each range changed from the previous round.
 * @param {any[]} rounds
 */
export function roundsTable(rounds) {
  if (rounds.length === 0) return h("p", { class: "muted" }, "No round planned yet.");
  return h(
    "table",
    { class: "grid rounds" },
    h("thead", {}, h("tr", {}, ["round", "finished", "budget", "space", "narrowing"].map((c) => h("th", {}, c)))),
    h(
      "tbody",
      {},
      rounds.map((r) => {
        const narrowing = Object.entries(r.narrowing ?? {});
        return h(
          "tr",
          {},
          h("td", {}, String(r.index)),
          h("td", {}, `${r.finished} / ${r.trials}`),
          h("td", { "data-round-budget": "" }, `${r.epochs} epochs`, r.pruner ? `, ${r.pruner.type} pruner` : "", r.editedByUser ? h("span", { class: "muted" }, " (your round)") : null),
          h("td", {}, h("ul", { class: "plain" }, Object.entries(r.space).map(([path, dist]) => h("li", {}, h("code", {}, path), " ", describeDist(dist))))),
          h(
            "td",
            {},
            narrowing.length === 0
              ? h("span", { class: "muted" }, r.index === 0 ? "initial space" : "unchanged")
              : h("ul", { class: "plain" }, narrowing.map(([path, why]) => h("li", {}, why.startsWith(path) ? null : [h("code", {}, path), " "], why))),
          ),
        );
      }),
    ),
  );
}

/**
 * The best trial's headline: link, params, metrics (its curves are added by the view).
 * @param {Trial | null} best
 * @param {string} metric the objective metric
 */
export function bestHeadline(best, metric) {
  if (!best) return h("p", { class: "muted" }, "No completed trial yet.");
  const m = best.metrics;
  return h(
    "div",
    { class: "best-head" },
    link(trialHref(best.id), `trial ${best.round}.${best.index}`),
    ` — ${metric} `,
    h("strong", {}, metricText(metric, m ? m[/** @type {keyof typeof m} */ (metric)] : null)),
    h("span", { class: "muted" }, ` · ${Object.entries(best.params).map(([k, v]) => `${shortPath(k)}=${fmtValue(v)}`).join(", ")}`),
  );
}

/** Why a trial stopped early, in words (null for a trial that did not stop). */
const STOP_WORDS = {
  loss_exploded: "the loss grew past lossFactor × its initial value (diverged)",
  non_finite: "the loss became NaN or infinite (diverged)",
  pruned: "the pruner stopped it: its validation metric trailed the others at the same epoch",
  timeout: "it ran past training.maxSeconds",
};

/**
 * @param {{status: string, stopReason: string | null, metrics?: {epochs: number} | null}} t
 * @returns {string | null}
 */
export function stopText(t) {
  if (t.status !== "stopped") return null;
  const why = STOP_WORDS[/** @type {keyof typeof STOP_WORDS} */ (t.stopReason ?? "")] ?? t.stopReason ?? "stopped early";
  return `Stopped after epoch ${t.metrics?.epochs ?? 0}: ${why}.`;
}

/**
 * @param {string} metric
 * @param {number | null | undefined} v
 */
export const metricText = (metric, v) => (metric.endsWith("Accuracy") ? fmtPct(v) : fmtNum(v));

/**
 * The ranked trial table (rows given already ordered and cut to what is shown).
 * @param {Trial[]} trials
 * @param {string[]} keys parameter columns (dotted paths)
 */
export function trialsTable(trials, keys) {
  const head = [
    h("th", {}, "rank"),
    h("th", {}, "trial"),
    h("th", {}, "status"),
    h("th", {}, "stop / error"),
    ...keys.map((k) => h("th", { title: k }, shortPath(k))),
    h("th", {}, "val acc"),
    h("th", {}, "val loss"),
    h("th", {}, "epochs"),
    h("th", {}, "attempts"),
    h("th", {}, "worker"),
  ];
  return h(
    "table",
    { class: "grid trials" },
    h("thead", {}, h("tr", {}, head)),
    h(
      "tbody",
      {},
      trials.map((t) => {
        const m = t.metrics;
        const outcome = outcomeOf(t);
        return h(
          "tr",
          { class: t.status === "running" ? "live" : t.status === "stopped" ? "stopped" : null, "data-status": t.status },
          h("td", { class: "num" }, t.rank === null ? DASH : String(t.rank)),
          h("td", {}, link(trialHref(t.id), `${t.round}.${t.index}`)),
          h("td", {}, badge(t.status)),
          h("td", { class: "outcome", title: t.error ?? stopText(t) ?? outcome }, t.status === "stopped" ? h("span", { class: "stop-mark", "data-stopped": t.stopReason ?? "" }, `× ${outcome}`) : outcome),
          ...keys.map((k) => h("td", { class: "num" }, k in t.params ? fmtValue(t.params[k]) : DASH)),
          h("td", { class: "num" }, fmtPct(m?.valAccuracy)),
          h("td", { class: "num" }, fmtNum(m?.valLoss)),
          h("td", { class: "num" }, m ? String(m.epochs) : "0"),
          h("td", { class: "num" }, String(t.attempts)),
          h("td", { class: "mono small" }, t.workerId ?? DASH),
        );
      }),
    ),
  );
}
