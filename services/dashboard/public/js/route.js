// @ts-check
/**
 * Hash routes of the dashboard: "#/" (searches, "?cursor=" for older pages), "#/new" (a new
 * search, "?from=<id>" to clone one), "#/searches/:id", "#/trials/:id".
 */

/**
 * @typedef {{view: "list", cursor: string | null} | {view: "new", from: string | null} | {view: "search", id: string} | {view: "trial", id: string} | {view: "unknown", hash: string}} Route
 */

const UUID = "[0-9a-fA-F-]{36}";
const SEARCH = new RegExp(`^/searches/(${UUID})$`);
const TRIAL = new RegExp(`^/trials/(${UUID})$`);

/**
 * @param {string} hash location.hash, e.g. "#/searches/…"
 * @returns {Route}
 */
export function parseRoute(hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const q = raw.indexOf("?");
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q === -1 ? "" : raw.slice(q + 1));
  if (path === "/" || path === "") return { view: "list", cursor: query.get("cursor") || null };
  if (path === "/new") {
    const from = query.get("from");
    return { view: "new", from: from && new RegExp(`^${UUID}$`).test(from) ? from.toLowerCase() : null };
  }
  const search = SEARCH.exec(path);
  if (search) return { view: "search", id: search[1].toLowerCase() };
  const trial = TRIAL.exec(path);
  if (trial) return { view: "trial", id: trial[1].toLowerCase() };
  return { view: "unknown", hash };
}
