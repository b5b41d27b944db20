import { z } from "zod";
import { DatasetConfig, EarlyStopping, ModelConfig, TrainingConfig, TrialConfig } from "./trial-config.ts";
import { Distribution, extremes, Space, type Assignment } from "./space.ts";
import { setAtPath } from "./dotted-path.ts";
import { StorableString } from "./storable.ts";

/** Largest number of trials one search may plan (grid size or random trials × rounds). */
export const MAX_TRIALS = 10_000;

export const RandomStrategy = z.strictObject({
  type: z.literal("random"),
  /** Trials per round. */
  trials: z.int().min(1).max(MAX_TRIALS),
  /** Trials in flight at once for this search. */
  parallelism: z.int().min(1).max(256).default(4),
  /** Coarse-to-fine rounds; each round after the first narrows the space around the best trials. */
  rounds: z.int().min(1).max(10).default(1),
  /** Fraction of a round's finished trials whose values define the next round's ranges. */
  keepFraction: z.number().gt(0).max(1).default(0.25),
});
export const GridStrategy = z.strictObject({
  type: z.literal("grid"),
  parallelism: z.int().min(1).max(256).default(4),
  rounds: z.int().min(1).max(10).default(1),
  keepFraction: z.number().gt(0).max(1).default(0.25),
});
export const Strategy = z.discriminatedUnion("type", [RandomStrategy, GridStrategy]);
export type Strategy = z.infer<typeof Strategy>;

export const ObjectiveMetric = z.enum(["valAccuracy", "valLoss", "trainAccuracy", "trainLoss"]);
export type ObjectiveMetric = z.infer<typeof ObjectiveMetric>;
export const Objective = z.strictObject({
  metric: ObjectiveMetric.default("valAccuracy"),
  goal: z.enum(["maximize", "minimize"]).default("maximize"),
});
export type Objective = z.infer<typeof Objective>;

const SearchSpecShape = z.strictObject({
  name: StorableString.min(1).max(200).default("search"),
  seed: z.int().min(0).max(2 ** 31 - 1).default(0),
  dataset: DatasetConfig,
  model: ModelConfig.default(ModelConfig.parse({})),
  training: TrainingConfig.default(TrainingConfig.parse({})),
  earlyStopping: EarlyStopping.default({ lossFactor: 3 }),
  space: Space.default({}),
  strategy: Strategy,
  objective: Objective.default({ metric: "valAccuracy", goal: "maximize" }),
});

/** The base trial config of a spec (what every trial starts from before sampled values are written in). */
export function baseConfigOf(spec: Pick<SearchSpec, "seed" | "dataset" | "model" | "training" | "earlyStopping">): TrialConfig {
  return { seed: spec.seed, dataset: spec.dataset, model: spec.model, training: spec.training, earlyStopping: spec.earlyStopping };
}

/** The trial config for one point of the space. Throws a ZodError if a sampled value does not fit its field. */
export function trialConfigFor(base: TrialConfig, assignment: Assignment): TrialConfig {
  let cfg: unknown = base;
  for (const [path, value] of Object.entries(assignment)) cfg = setAtPath(cfg, path, value);
  return TrialConfig.parse(cfg);
}

/** Does the dotted path name a field of TrialConfig? Walks the zod object shapes. */
export function isConfigPath(path: string): boolean {
  let schema: z.ZodType = TrialConfig;
  for (const key of path.split(".")) {
    schema = unwrap(schema);
    if (!(schema instanceof z.ZodObject)) return false;
    const shape = schema.shape as Record<string, z.ZodType>;
    if (!Object.hasOwn(shape, key)) return false; // not an inherited "constructor" or "__proto__"
    const next = shape[key]!;
    schema = next;
  }
  return true;
}

function unwrap(s: z.ZodType): z.ZodType {
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * The search spec of DESIGN.md. Beyond the shapes: every `space` key must name a
 * config field, and every value the space can produce (low, high, each choice)
 * must be valid for that field — so a bad space is a 400 at submission, not a
 * failed trial later.
 */
export const SearchSpec = SearchSpecShape.superRefine((spec, ctx) => {
  const base = baseConfigOf(spec);
  // zod runs this refinement even when base fields failed; probing the space against an
  // invalid base would report every space key as wrong too, hiding the real issue.
  const baseIsValid = TrialConfig.safeParse(base).success;
  for (const [path, dist] of Object.entries(spec.space ?? {})) {
    if (!isConfigPath(path)) {
      ctx.addIssue({ code: "custom", path: ["space", path], message: `unknown config path "${path}"` });
      continue;
    }
    if (!baseIsValid || !Distribution.safeParse(dist).success) continue; // its own issue is reported already
    for (const { value, at } of extremes(dist as Distribution)) {
      const r = TrialConfig.safeParse(setAtPath(base, path, value));
      if (!r.success) {
        const first = r.error.issues[0]!;
        ctx.addIssue({ code: "custom", path: ["space", path, ...at], message: `not a valid ${path}: ${first.message}` });
      }
    }
  }
});
export type SearchSpec = z.infer<typeof SearchSpec>;
export type SearchSpecInput = z.input<typeof SearchSpec>;
