/**
 * What the zod schema cannot know about a parsed spec, checked before anything is stored:
 * the search must be plannable (planSearch throws typed SearchErrors: grid too large,
 * numeric grid dimension without points, ...) and every architecture the space can
 * produce must be buildable for the dataset's input shape.
 */
import { getAtPath, setAtPath, type Issue, type ModelConfig, type SearchSpec } from "@hps/contracts";
import { planSearch, type SearchPlan } from "@hps/search";
import { UnprocessableSpec } from "./errors.ts";

/** Problems of a model for an input shape and class count; paths are relative to the model config. */
export type ArchitectureCheck = (model: ModelConfig, inputShape: readonly number[], classes: number) => Array<{ path: string; message: string }>;

/** Input shape (per sample) and class count of a dataset. */
export function datasetShape(dataset: SearchSpec["dataset"]): { inputShape: number[]; classes: number } {
  return dataset.name === "mnist" ? { inputShape: [1, 28, 28], classes: 10 } : { inputShape: [2], classes: dataset.classes };
}

/** Returns the plan; throws a SearchError or UnprocessableSpec (both 422). */
export function checkSpec(spec: SearchSpec, checkArchitecture?: ArchitectureCheck): SearchPlan {
  const plan = planSearch(spec);
  if (checkArchitecture) {
    const issues = architectureIssues(spec, checkArchitecture);
    if (issues.length > 0) throw new UnprocessableSpec(issues);
  }
  return plan;
}

/**
 * Checks the base model and, for each `model.*` choice dimension, the base with each of
 * its values written in (one dimension at a time: the values a sampler can combine are
 * too many to enumerate, and a bad value is almost always bad on its own).
 */
export function architectureIssues(spec: SearchSpec, check: ArchitectureCheck): Issue[] {
  const { inputShape, classes } = datasetShape(spec.dataset);
  const issues: Issue[] = check(spec.model, inputShape, classes).map((p) => ({ path: join("model", p.path), message: p.message }));
  for (const [key, dist] of Object.entries(spec.space)) {
    if (!key.startsWith("model.") || dist.type !== "choice") continue;
    dist.values.forEach((value, i) => {
      const model = getAtPath(setAtPath({ model: spec.model }, key, value), "model") as ModelConfig;
      for (const p of check(model, inputShape, classes)) issues.push({ path: `space.${key}.values.${i}`, message: `${key} = ${JSON.stringify(value)}: ${p.message}` });
    });
  }
  return issues;
}

function join(prefix: string, path: string): string {
  if (!path) return prefix;
  return path === prefix || path.startsWith(`${prefix}.`) ? path : `${prefix}.${path}`;
}
