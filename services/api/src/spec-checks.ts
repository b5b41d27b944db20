/**
 * What the zod schema cannot know about a parsed spec, checked before anything is stored:
 * the search must be plannable (planSearch throws typed SearchErrors: grid too large,
 * numeric grid dimension without points, ...) and every trial config the space can
 * produce must be trainable (packages/core: dataset limits, buildable architecture).
 */
import { baseConfigOf, extremes, trialConfigFor, type Issue, type SearchSpec, type TrialConfig } from "@hps/contracts";
import { checkArchitecture, checkDataset, datasetShape } from "@hps/core/checks";
import { GridTooLarge, InvalidSpace, planSearch, SearchError, type SearchPlan } from "@hps/search";
import { UnprocessableSpec } from "./errors.ts";

/** Problems of one trial config; paths are dotted paths into the config ("model.conv.1"). */
export type ConfigCheck = (config: TrialConfig) => Issue[];

/** packages/core's checks: dataset settings, then the architecture for the dataset's input shape. */
export const coreConfigCheck: ConfigCheck = (config) => {
  const { inputShape, classes } = datasetShape(config.dataset);
  return [...checkDataset(config.dataset, config.model), ...checkArchitecture(config.model, inputShape, classes)];
};

/**
 * Returns the plan; otherwise throws UnprocessableSpec (422) with every issue found: the
 * planning problem (grid too large, grid dimension without points, ...) and the config ones.
 */
export function checkSpec(spec: SearchSpec, check: ConfigCheck = coreConfigCheck): SearchPlan {
  let plan: SearchPlan | null = null;
  const issues: Issue[] = [];
  try {
    plan = planSearch(spec);
  } catch (err) {
    if (!(err instanceof SearchError)) throw err;
    issues.push(issueOf(err));
  }
  issues.push(...configIssues(spec, check));
  if (!plan || issues.length > 0) throw new UnprocessableSpec(issues);
  return plan;
}

/**
 * A search package error as clients read it: a grid's size is a property of the strategy
 * ("strategy"); a numeric grid dimension without points names the missing field
 * ("space.<key>.points"); otherwise the error's own path.
 */
export function issueOf(err: SearchError): Issue {
  if (err instanceof GridTooLarge) return { path: "strategy", message: err.message };
  if (err instanceof InvalidSpace && err.code === "grid_points_missing") return { path: `${err.path}.points`, message: err.message };
  return { path: err.path, message: err.message };
}

/**
 * Checks the base config and, for each `model.*` / `dataset.*` dimension of the space, the
 * base with each of its values written in (each choice; low and high of a range) — one
 * dimension at a time: the combinations a sampler can produce are too many to enumerate, and
 * a bad value is almost always bad on its own. A dimension's issue is reported only when the
 * base does not already have it.
 */
export function configIssues(spec: SearchSpec, check: ConfigCheck): Issue[] {
  const base = baseConfigOf(spec);
  const baseIssues = check(base).map((p) => ({ path: p.path || "model", message: p.message }));
  const known = new Set(baseIssues.map((p) => p.message));
  const issues: Issue[] = [...baseIssues];
  for (const [key, dist] of Object.entries(spec.space)) {
    if (!key.startsWith("model.") && !key.startsWith("dataset.")) continue;
    for (const { value, at } of extremes(dist)) {
      // The spec's own refinement already proved each probe parses into a valid config.
      for (const p of check(trialConfigFor(base, { [key]: value }))) {
        if (!known.has(p.message)) issues.push({ path: `space.${key}.${at.join(".")}`, message: `${key} = ${JSON.stringify(value)}: ${p.message}` });
      }
    }
  }
  return issues;
}
