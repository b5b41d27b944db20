import { z } from "zod";
import { FORBIDDEN_KEYS, StorableJson, StorableString } from "./storable.ts";

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
  values: z.array(StorableJson).min(1).max(1000),
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

/**
 * A dotted path into the trial config (checked against TrialConfig by SearchSpec). Segments that
 * would walk into Object.prototype are refused here, before any code writes the path.
 */
export const SpacePath = StorableString.min(1)
  .max(200)
  .refine((p) => !p.split(".").some((k) => FORBIDDEN_KEYS.has(k)), { error: (iss) => `path "${String(iss.input)}" may not contain __proto__, constructor or prototype` });

/**
 * Dotted path into the trial config → distribution. Keys are checked here, on the raw input:
 * zod's record silently drops an own "__proto__" key (JSON.parse makes one) and reports other
 * bad keys only as "Invalid key in record".
 */
// A check on the raw value piped into the record, not a preprocess: a transform cannot be encoded,
// and the API serializes responses that carry a space (a search's spec) through this schema.
export const Space = z
  .unknown()
  .superRefine((v, ctx) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return;
    for (const key of Object.keys(v)) {
      const r = SpacePath.safeParse(key);
      if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: [key], message: i.message, input: key });
    }
  })
  .pipe(z.record(z.string(), Distribution));
export type Space = z.infer<typeof Space>;

/** One point of the space: dotted path → sampled value. */
export type Assignment = Record<string, unknown>;
