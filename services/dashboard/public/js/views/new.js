// @ts-check
/**
 * `#/new`: a search spec in a JSON editor (`[data-field="spec"]`), submitted with
 * `[data-action="submit"]`; the API's 400/422 issues appear in `[data-errors]` with their field
 * paths, and an accepted search opens its page. `#/new?from=<id>` starts from a copy of that
 * search's spec (the clone button on a search's page).
 */
import { h, fill } from "../dom.js";
import { link, searchHref, showIssues } from "../widgets.js";

/** The editor's starting spec: a small search that finishes in seconds on the built-in spiral data. */
export const EXAMPLE_SPEC = {
  name: "spiral-lr",
  seed: 1,
  dataset: { name: "spiral", trainSize: 300, valSize: 100 },
  model: { hidden: [32] },
  training: { epochs: 5, batchSize: 32, optimizer: "sgd" },
  space: { "training.learningRate": { type: "loguniform", low: 0.001, high: 10 } },
  strategy: { type: "random", trials: 12, parallelism: 4 },
};

/**
 * A clone's spec: the original with " (copy)" on its name.
 * @param {{name?: string} & Record<string, unknown>} spec
 */
export const cloneSpec = (spec) => ({ ...spec, name: `${spec.name ?? "search"} (copy)` });

/**
 * The editor's text as a spec, or a SyntaxError that says where the JSON breaks.
 * @param {string} text
 */
export function parseSpec(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`The spec is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * @param {HTMLElement} root
 * @param {import("../main.js").Ctx} ctx
 * @param {{from: string | null}} params
 */
export function mountNew(root, ctx, { from }) {
  document.title = "new search · hps";
  const editor = /** @type {HTMLTextAreaElement} */ (h("textarea", { "data-field": "spec", class: "code spec-editor", rows: 22, spellcheck: "false", "aria-label": "search spec (JSON)" }));
  const errors = h("div", { class: "errors", "data-errors": "", hidden: true, role: "alert" });
  const submit = /** @type {HTMLButtonElement} */ (h("button", { type: "submit", class: "primary", "data-action": "submit" }, "Submit search"));
  const status = h("span", { class: "muted small" });
  const form = h("form", { class: "new-form", autocomplete: "off" }, editor, h("div", { class: "row" }, submit, status), errors);
  fill(
    root,
    h("nav", { class: "crumbs" }, link("#/", "Searches"), " / ", h("span", {}, "new")),
    h("header", { class: "view-head" }, h("h1", {}, from ? "Clone a search" : "New search")),
    h(
      "section",
      { class: "card" },
      h("p", { class: "muted small" }, "The spec as JSON (the README lists its keys). Unknown keys are refused; the API names each bad field."),
      form,
    ),
  );
  let stopped = false;

  if (from) {
    editor.value = "";
    status.textContent = "loading the search to clone…";
    ctx.api
      .get(`/v1/searches/${encodeURIComponent(from)}`)
      .then(({ body }) => {
        if (stopped) return;
        editor.value = JSON.stringify(cloneSpec(body.spec), null, 2);
        status.textContent = `a copy of ${body.name}`;
      })
      .catch((err) => {
        if (stopped) return;
        editor.value = JSON.stringify(EXAMPLE_SPEC, null, 2);
        status.textContent = "";
        ctx.setError(err, { action: true });
      });
  } else {
    editor.value = JSON.stringify(EXAMPLE_SPEC, null, 2);
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    let spec;
    try {
      spec = parseSpec(editor.value);
    } catch (err) {
      showIssues(errors, err);
      return;
    }
    submit.disabled = true;
    status.textContent = "submitting…";
    try {
      const created = await ctx.api.post("/v1/searches", spec);
      if (!stopped) location.hash = searchHref(created.id);
    } catch (err) {
      showIssues(errors, err);
      status.textContent = "";
    } finally {
      submit.disabled = false;
    }
  });
  return {
    unmount: () => {
      stopped = true;
    },
  };
}
