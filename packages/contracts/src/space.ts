import { z } from "zod";

/**
 * One dimension of a search space. Numeric dimensions sample from [low, high]
 * (random) or spread `points` values over it (grid; log-spaced for loguniform,
 * as CS231n recommends for learning rates and regularisation strengths).
 */
const numericBase = {
  low: z.number(),
  high: z.number(),
  /** Number of grid points (grid strategy only). */
  points: z.int().min(1).max(1000).optional(),
};

export const UniformDist = z.strictObject({ type: z.literal("uniform"), ...numericBase });
export const LogUniformDist = z.strictObject({ type: z.literal("loguniform"), ...numericBase });
/** Integers in [low, high], both inclusive. */
export const IntDist = z.strictObject({
  type: z.literal("int"),
  low: z.int(),
  high: z.int(),
  points: numericBase.points,
});
export const ChoiceDist = z.strictObject({
  type: z.literal("choice"),
  values: z.array(z.unknown()).min(1).max(1000),
});

export const Distribution = z
  .discriminatedUnion("type", [UniformDist, LogUniformDist, IntDist, ChoiceDist])
  .superRefine((d, ctx) => {
    if (d.type === "choice") return;
    if (!(d.low < d.high)) ctx.addIssue({ code: "custom", path: ["low"], message: `low (${d.low}) must be < high (${d.high})` });
    if (d.type === "loguniform" && !(d.low > 0))
      ctx.addIssue({ code: "custom", path: ["low"], message: `loguniform needs low > 0 (got ${d.low})` });
  });
export type Distribution = z.infer<typeof Distribution>;
export type UniformDist = z.infer<typeof UniformDist>;
export type LogUniformDist = z.infer<typeof LogUniformDist>;
export type IntDist = z.infer<typeof IntDist>;
export type ChoiceDist = z.infer<typeof ChoiceDist>;

/**
 * The values a dimension can produce at its extremes — each choice, or low and high — with
 * the path of each inside the dimension ("values.2", "low"). Spec checks probe these: a bad
 * value is almost always bad on its own, and every other value lies between them.
 */
export function extremes(dist: Distribution): Array<{ value: unknown; at: (string | number)[] }> {
  return dist.type === "choice"
    ? dist.values.map((value, i) => ({ value, at: ["values", i] }))
    : [{ value: dist.low, at: ["low"] }, { value: dist.high, at: ["high"] }];
}

/** Dotted path into the trial config → distribution. */
export const Space = z.record(z.string().min(1).max(200), Distribution);
export type Space = z.infer<typeof Space>;

/** One point of the space: dotted path → sampled value. */
export type Assignment = Record<string, unknown>;
