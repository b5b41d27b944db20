/**
 * What the zod schema cannot know about a parsed spec, checked before anything is stored:
 * the search must be plannable (planSearch throws typed SearchErrors: grid too large,
 * numeric grid dimension without points, ...) and every trial config the space can
 * produce must be trainable (packages/core: dataset limits, buildable architecture).
 */
import { baseConfigOf, DEFAULT_TRIAL_MEMORY_MB, extremes, trialConfigFor, type Issue, type SearchSpec, type TrialConfig } from "@hps/contracts";
import { checkArchitecture, checkDataset, datasetShape, estimateTrialMemory, type DatasetMeta } from "@hps/core/checks";
import { GridTooLarge, InvalidSpace, planSearch, SearchError, type SearchPlan } from "@hps/search";
import { UnprocessableSpec } from "./errors.ts";

/**
 * Problems of one trial config; paths are dotted paths into the config ("model.conv.1").
 * `meta`: the stored metadata of an uploaded dataset (dataset-meta.ts), absent for built-in ones.
 */
export type ConfigCheck = (config: TrialConfig, meta?: DatasetMeta) => Issue[];

/** packages/core's checks: dataset settings, then the architecture for the dataset's input shape. */
export const coreConfigCheck: ConfigCheck = (config, meta) => {
  const { inputShape, classes } = datasetShape(config.dataset, meta);
  return [...checkDataset(config.dataset, config.model, meta), ...checkArchitecture(config.model, inputShape, classes)];
};

export interface SpecCheckOptions {
  /** Checks each trial config a spec can produce; default: packages/core's dataset and architecture checks. */
  checkConfig?: ConfigCheck;
  /** The per-trial memory budget, bytes (HPS_TRIAL_MEMORY_MB; default 1,536 MB). */
  trialMemoryBytes?: number;
  /** The spec's uploaded dataset as stored (rows, shape, classes); absent for built-in datasets. */
  datasetMeta?: DatasetMeta;
}

/**
 * Returns the plan; otherwise throws UnprocessableSpec (422) with every issue found: the
 * planning problem (grid too large, grid dimension without points, ...), the config ones, and
 * a largest possible trial whose estimated memory exceeds the per-trial budget.
 */
export function checkSpec(spec: SearchSpec, opts: SpecCheckOptions = {}): SearchPlan {
  const check = opts.checkConfig ?? coreConfigCheck;
  let plan: SearchPlan | null = null;
  const issues: Issue[] = [];
  try {
    plan = planSearch(spec);
  } catch (err) {
    if (!(err instanceof SearchError)) throw err;
    issues.push(issueOf(err));
  }
  const meta = opts.datasetMeta;
  issues.push(...configIssues(spec, (config) => check(config, meta)));
  if (issues.length === 0) issues.push(...memoryIssues(spec, opts.trialMemoryBytes ?? DEFAULT_TRIAL_MEMORY_MB * 2 ** 20, meta));
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

/**
 * The largest trial the space can produce, by estimated peak memory (@hps/core's
 * estimateTrialMemory): the base config with, dimension by dimension, the extreme that costs the
 * most (memory grows monotonically with sizes, so the extremes bound it). One issue when it
 * exceeds `limitBytes`, naming the estimate, the limit, its largest parts and the fields that
 * drive them; its path is the space dimension (or base field) that drives the largest part.
 */
export function memoryIssues(spec: SearchSpec, limitBytes: number, meta?: DatasetMeta): Issue[] {
  let worst = baseConfigOf(spec);
  const keys = Object.keys(spec.space).sort();
  for (const key of keys) {
    let best = worst;
    let bestBytes = estimateTrialMemory(worst, meta).bytes;
    for (const { value } of extremes(spec.space[key]!)) {
      const c = trialConfigFor(worst, { [key]: value });
      const b = estimateTrialMemory(c, meta).bytes;
      if (b > bestBytes) [best, bestBytes] = [c, b];
    }
    worst = best;
  }
  const est = estimateTrialMemory(worst, meta);
  if (est.bytes <= limitBytes) return [];
  const mb = (b: number) => `${Math.ceil(b / 2 ** 20).toLocaleString("en-US")} MB`;
  const top = est.parts.slice(0, 2).map((p) => `${p.what} ${mb(p.bytes)}${p.fields.length ? ` (${p.fields.join(", ")})` : ""}`);
  const drivers = est.parts[0]!.fields;
  const inSpace = keys.find((k) => drivers.some((f) => k === f || k.startsWith(`${f}.`)));
  return [{
    path: inSpace ? `space.${inSpace}` : (drivers[0] ?? ""),
    message: `the largest trial this search can run needs an estimated ${mb(est.bytes)}, over the ${mb(limitBytes)} per-trial limit (HPS_TRIAL_MEMORY_MB): ${top.join("; ")}`,
  }];
}
