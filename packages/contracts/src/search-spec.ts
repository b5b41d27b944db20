import { z } from "zod";
import { DatasetConfig, EarlyStopping, ModelConfig, TrainingConfig, TrialConfig } from "./trial-config.ts";
import { Distribution, extremes, Space, type Assignment } from "./space.ts";
import { setAtPath } from "./dotted-path.ts";
import { StorableString } from "./storable.ts";

/** Largest number of trials one search may plan (grid size or random trials × rounds). The dashboard and its polls are built for this many (issue 9). */
export const MAX_TRIALS = 100_000;

const Parallelism = z.int().min(1).max(256).default(4).describe("Trials in flight at once for this search. Default 4.");
const KeepFraction = z
  .number()
  .gt(0)
  .max(1)
  .default(0.25)
  .describe("Fraction of a round's finished trials whose values define the next round's ranges. Default 0.25.");
const Trials = z.int().min(1).max(MAX_TRIALS);

/**
 * One round of a coarse-to-fine search (CS231n: first a few epochs over wide ranges, then longer
 * runs in narrowed ranges). Every field falls back to the strategy's (or the training config's).
 */
export const RoundSpec = z.strictObject({
  trials: Trials.optional().describe("Trials of this round. Default: the strategy's `trials` (a grid: its size)."),
  epochs: z.int().min(1).max(1000).optional().describe("Epochs each trial of this round trains. Default: `training.epochs`."),
  keepFraction: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe("Fraction of this round's finished trials that define the next round's ranges. Default: the strategy's `keepFraction`."),
});
export type RoundSpec = z.infer<typeof RoundSpec>;
/** A grid round has no `trials`: its size is the grid's. */
export const GridRoundSpec = RoundSpec.omit({ trials: true });
export type GridRoundSpec = z.infer<typeof GridRoundSpec>;

const ROUNDS_DOC =
  "Coarse-to-fine rounds: a number of rounds (each like the strategy), or an array of rounds, e.g. " +
  '[{"trials": 27, "epochs": 1}, {"trials": 9, "epochs": 3}, {"trials": 3, "epochs": 9}]. Each round after the first ' +
  "samples a space narrowed around the previous round's best trials. Default 1. Ranking compares like with like: " +
  "completed trials come first, those trained with more epochs (a later, longer round) before those trained with " +
  "fewer, and among trials of the same epoch budget by objective (rounds of equal epochs compete directly); then " +
  "completed trials without an objective value, then stopped ones (pruned, timed out: those that trained more epochs " +
  "first, then by their objective value at the last epoch they trained), then diverged, failed and cancelled ones. " +
  "The search's best trial is rank 1.";
const MAX_ROUNDS = 10;
const Rounds = z.union([z.int().min(1).max(MAX_ROUNDS), z.array(RoundSpec).min(1).max(MAX_ROUNDS)]).default(1).describe(ROUNDS_DOC);
const GridRounds = z.union([z.int().min(1).max(MAX_ROUNDS), z.array(GridRoundSpec).min(1).max(MAX_ROUNDS)]).default(1).describe(ROUNDS_DOC);

/** Optuna's MedianPruner / Google Vizier's median stopping rule. */
export const MedianPruner = z.strictObject({
  type: z.literal("median"),
  warmupEpochs: z.int().min(0).max(1000).default(1).describe("Never prune at or before this epoch. Default 1."),
  minTrials: z
    .int()
    .min(1)
    .max(MAX_TRIALS)
    .default(5)
    .describe("Never prune while fewer other trials of the search have reported the same epoch. Default 5."),
});
/** Asynchronous successive halving (Li et al. 2018); with TPE, the BOHB-like combination. */
export const AshaPruner = z.strictObject({
  type: z.literal("asha"),
  minEpochs: z.int().min(1).max(1000).default(1).describe("Epoch of the first rung; rungs at minEpochs·reductionFactor^k below the round's epochs. Default 1."),
  reductionFactor: z
    .int()
    .min(2)
    .max(100)
    .default(3)
    .describe("η: at each rung a trial continues only if it is in the top 1/η of what the search's trials reported there so far (no waiting for a rung to fill). Default 3."),
});
export const Pruner = z
  .discriminatedUnion("type", [MedianPruner, AshaPruner])
  .describe('Cross-trial early stopping, asked at each epoch; a pruned trial ends `stopped` with `stopReason: "pruned"` and ranks after trials that trained fully. Default: none.');
export type Pruner = z.infer<typeof Pruner>;
export type MedianPruner = z.infer<typeof MedianPruner>;
export type AshaPruner = z.infer<typeof AshaPruner>;

/** The budgets every strategy takes: time, failures (a broken config is given up on). */
const budgets = {
  maxSeconds: z
    .number()
    .positive()
    .max(365 * 24 * 3600)
    .optional()
    .describe("Wall-clock limit of the search from its submission, seconds: past it nothing more is planned or started (queued trials are cancelled with stopReason timeout), running trials end, and the search completes with what it has. Default: none."),
  maxFailedTrials: z
    .int()
    .min(0)
    .max(MAX_TRIALS)
    .default(10)
    .describe("The search fails (naming the most common error) once more trials than this have failed; queued trials are cancelled. Default 10."),
  keepModels: z
    .int()
    .min(0)
    .max(MAX_TRIALS)
    .default(5)
    .describe("Trained models kept when the search finishes: the top keepModels by rank, plus any trial a spec fine-tunes from (model.initFrom); the others' stored models are dropped. Default 5."),
};

export const RandomStrategy = z.strictObject({
  type: z.literal("random"),
  trials: Trials.describe("Trials per round (unless a round says otherwise)."),
  parallelism: Parallelism,
  rounds: Rounds,
  keepFraction: KeepFraction,
  pruner: Pruner.optional(),
  ...budgets,
});
export const GridStrategy = z.strictObject({
  type: z.literal("grid"),
  parallelism: Parallelism,
  rounds: GridRounds,
  keepFraction: KeepFraction,
  pruner: Pruner.optional(),
  ...budgets,
});
/** Tree-structured Parzen Estimator (Bergstra et al. 2011): model-based, trials planned as slots free up. */
export const TpeStrategy = z.strictObject({
  type: z.literal("tpe"),
  trials: Trials.describe("Trials per round (unless a round says otherwise)."),
  parallelism: Parallelism,
  startupTrials: z
    .int()
    .min(1)
    .max(MAX_TRIALS)
    .default(10)
    .describe("Trials of a round sampled at random before TPE models the round's finished trials. Default 10."),
  rounds: Rounds,
  keepFraction: KeepFraction,
  pruner: Pruner.optional(),
  ...budgets,
});
export const Strategy = z.discriminatedUnion("type", [RandomStrategy, GridStrategy, TpeStrategy]);
export type Strategy = z.infer<typeof Strategy>;
export type RandomStrategy = z.infer<typeof RandomStrategy>;
export type GridStrategy = z.infer<typeof GridStrategy>;
export type TpeStrategy = z.infer<typeof TpeStrategy>;

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
