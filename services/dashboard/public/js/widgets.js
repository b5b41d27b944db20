// @ts-check
/** Small pieces the views share: status badges, the stacked progress bar, key/value lists, links. */
import { h } from "./dom.js";
import { finishedCount, progressSegments } from "./format.js";

/**
 * @param {string} status a search or trial status
 */
export const badge = (status) => h("span", { class: `badge st-${status}` }, status);

/**
 * A stacked bar of trial states over the planned total, with "finished / planned" beside it.
 * @param {import("./format.js").Counts} counts
 * @param {number} planned
 * @param {{legend?: boolean}} [opts] legend: also list each state's count under the bar
 */
export function progressBar(counts, planned, { legend = false } = {}) {
  const segments = progressSegments(counts, planned);
  const bar = h(
    "div",
    { class: "progress", role: "img", "aria-label": segments.map((sg) => `${sg.count} ${sg.status}`).join(", ") || "no trials yet" },
    segments.map((sg) => h("span", { class: `seg st-${sg.status}`, style: `width:${(sg.fraction * 100).toFixed(2)}%`, title: `${sg.count} ${sg.status}` })),
  );
  const label = h("span", { class: "progress-label" }, `${finishedCount(counts)} / ${Math.max(planned, counts.total)} finished`);
  if (!legend) return h("div", { class: "progress-wrap" }, bar, label);
  const keys = /** @type {const} */ (["queued", "running", "completed", "stopped", "failed", "cancelled"]);
  const items = keys.map((k) => h("li", {}, h("span", { class: `dot st-${k}` }), `${k} `, h("strong", {}, counts[k])));
  return h("div", { class: "progress-wrap wide" }, bar, label, h("ul", { class: "legend" }, items));
}

/**
 * A definition list of label → value pairs (values may be nodes). Null values are left out.
 * @param {Array<[string, import("./dom.js").Child]>} pairs
 */
export const kv = (pairs) =>
  h(
    "dl",
    { class: "kv" },
    pairs.filter(([, v]) => v !== null && v !== undefined).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );

/**
 * @param {string} href
 * @param {import("./dom.js").Child} text
 * @param {string} [cls]
 */
export const link = (href, text, cls) => h("a", { href, class: cls }, text);

/** @param {string} id */
export const searchHref = (id) => `#/searches/${encodeURIComponent(id)}`;
/** @param {string} id */
export const trialHref = (id) => `#/trials/${encodeURIComponent(id)}`;

/**
 * A message box for a failed request or a search/trial error text.
 * @param {string} text
 * @param {string} [title]
 */
export const errorBox = (text, title) => h("div", { class: "error-box" }, title ? h("strong", {}, title) : null, h("pre", {}, text));

/**
 * Fills a `[data-errors]` box with what went wrong with a submitted body: the API's issues, each
 * with its field path, or the message alone (a JSON syntax error, an unreachable API).
 * @param {HTMLElement} box
 * @param {unknown} err null clears it
 */
export function showIssues(box, err) {
  box.replaceChildren();
  box.hidden = err === null;
  if (err === null) return;
  const message = err instanceof Error ? err.message : String(err);
  const issues = /** @type {{issues?: Array<{path: string, message: string}>}} */ (err).issues ?? [];
  box.append(h("strong", {}, message));
  if (issues.length > 0)
    box.append(h("ul", { class: "issues" }, issues.map((i) => h("li", {}, h("code", { class: "issue-path" }, i.path || "(body)"), " ", i.message))));
}
