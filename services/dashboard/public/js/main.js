// @ts-check
/**
 * Entry point: the header (live indicator, errors, API key), and the hash router that mounts
 * one view at a time (each view owns its poller; unmounting stops it).
 */
import { Api, ApiError } from "./api.js";
import { h, fill } from "./dom.js";
import { parseRoute } from "./route.js";
import { mountList } from "./views/list.js";
import { mountNew } from "./views/new.js";
import { mountSearch } from "./views/search.js";
import { mountTrial } from "./views/trial.js";

/**
 * @typedef {{api: Api, setLive: (state: import("./poller.js").PollState) => void, setError: (err: unknown, opts?: {action?: boolean}) => void}} Ctx
 * setError(err) shows a polling error until the next successful poll (setError(null));
 * with `action: true` the message (of a user action, e.g. cancel) stays until the next action
 * reports, the user dismisses it, or the view changes.
 */

const LIVE_TEXT = { live: "live", paused: "paused (tab hidden)", done: "final: not polling", error: "retrying…", stopped: "" };

const api = new Api();
const root = /** @type {HTMLElement} */ (document.getElementById("view"));
const liveEl = /** @type {HTMLElement} */ (document.getElementById("live"));
const errorEl = /** @type {HTMLElement} */ (document.getElementById("error"));

let actionError = false;
function hideError() {
  actionError = false;
  errorEl.hidden = true;
}

/** @type {Ctx} */
const ctx = {
  api,
  setLive(state) {
    if (state === "stopped") return;
    liveEl.className = `live-${state}`;
    liveEl.textContent = LIVE_TEXT[state];
    liveEl.title = state === "live" ? `updated ${new Date().toLocaleTimeString()}` : "";
  },
  setError(err, { action = false } = {}) {
    if (err === null) {
      if (action || !actionError) hideError();
      return;
    }
    actionError = action;
    let text = err instanceof Error ? err.message : String(err);
    if (err instanceof ApiError && err.status === 401) text += " — set the API key (top right) to cancel searches.";
    if (err instanceof ApiError && err.status === 404) text += " — no such search or trial.";
    fill(errorEl, text, action ? h("button", { class: "dismiss", title: "dismiss", onclick: hideError }, "×") : null);
    errorEl.hidden = false;
  },
};

/** The API-key form: the key goes to localStorage and out only as a bearer header on cancel. */
function setupKeyForm() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("key-form"));
  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem("key"));
  const state = /** @type {HTMLElement} */ (document.getElementById("key-state"));
  const show = () => (state.textContent = api.key ? "key set" : "no key");
  input.value = api.key;
  show();
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    api.key = input.value.trim();
    show();
  });
}

/** @type {{unmount: () => void} | null} */
let mounted = null;

function route() {
  mounted?.unmount();
  hideError();
  window.scrollTo(0, 0);
  const r = parseRoute(location.hash);
  document.title = "hps";
  if (r.view === "list") mounted = mountList(root, ctx, r);
  else if (r.view === "new") mounted = mountNew(root, ctx, r);
  else if (r.view === "search") mounted = mountSearch(root, ctx, r);
  else if (r.view === "trial") mounted = mountTrial(root, ctx, r);
  else {
    mounted = null;
    fill(root, h("h1", {}, "Not found"), h("p", {}, "No view for ", h("code", {}, r.hash), ". ", h("a", { href: "#/" }, "All searches")));
  }
}

setupKeyForm();
window.addEventListener("hashchange", route);
route();
