// @ts-check
/**
 * The search page's "next round" form: the space (JSON, starting from the last round's), trials,
 * epochs and an optional pruner, POSTed to /v1/searches/:id/rounds; the API's 400/422 issues are
 * shown in the form's `[data-errors]` with their paths.
 */
import { h } from "../dom.js";
import { showIssues } from "../widgets.js";

/**
 * The body the form sends: only the fields filled in.
 * @param {{space: string, trials: string, epochs: string, pruner: string}} f the raw inputs
 * @returns {Record<string, unknown>}
 * @throws {SyntaxError} naming the field whose JSON does not parse
 */
export function roundBody(f) {
  /** @type {Record<string, unknown>} */
  const body = {};
  /** @param {string} name @param {string} text */
  const json = (name, text) => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SyntaxError(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (f.space.trim()) body.space = json("space", f.space);
  if (f.trials.trim()) body.trials = Number(f.trials);
  if (f.epochs.trim()) body.epochs = Number(f.epochs);
  if (f.pruner.trim()) body.pruner = json("pruner", f.pruner);
  return body;
}

/**
 * @param {import("../main.js").Ctx} ctx
 * @param {string} searchId
 * @param {() => void} onAdded called after the API accepted the round
 */
export function roundForm(ctx, searchId, onAdded) {
  const space = /** @type {HTMLTextAreaElement} */ (h("textarea", { name: "space", rows: 6, spellcheck: "false", class: "code" }));
  const trials = /** @type {HTMLInputElement} */ (h("input", { name: "trials", type: "number", min: 1, placeholder: "as the last round" }));
  const epochs = /** @type {HTMLInputElement} */ (h("input", { name: "epochs", type: "number", min: 1, placeholder: "as the last round" }));
  const pruner = /** @type {HTMLTextAreaElement} */ (h("textarea", { name: "pruner", rows: 2, spellcheck: "false", class: "code", placeholder: '{"type": "median", "warmupEpochs": 2, "minTrials": 4}' }));
  const errors = h("div", { class: "errors", "data-errors": "", hidden: true, role: "alert" });
  const done = h("p", { class: "muted small" });
  const button = /** @type {HTMLButtonElement} */ (h("button", { type: "submit", "data-action": "add-round" }, "Add round"));
  const form = h(
    "form",
    { class: "round-form", autocomplete: "off" },
    h("label", {}, "space (JSON)", space),
    h("div", { class: "row" }, h("label", {}, "trials", trials), h("label", {}, "epochs", epochs)),
    h("label", {}, "pruner (JSON, optional)", pruner),
    h("div", { class: "row" }, button, done),
    errors,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    done.textContent = "";
    let body;
    try {
      body = roundBody({ space: space.value, trials: trials.value, epochs: epochs.value, pruner: pruner.value });
    } catch (err) {
      showIssues(errors, err);
      return;
    }
    button.disabled = true;
    try {
      await ctx.api.post(`/v1/searches/${encodeURIComponent(searchId)}/rounds`, body);
      showIssues(errors, null);
      done.textContent = "Round added.";
      onAdded();
    } catch (err) {
      showIssues(errors, err);
    } finally {
      button.disabled = false;
    }
  });
  return {
    form,
    /** Starts the space from the last round's (until the user has typed in it). @param {Record<string, unknown> | undefined} last */
    seed(last) {
      if (!space.value && last) space.value = JSON.stringify(last, null, 2);
    },
  };
}
