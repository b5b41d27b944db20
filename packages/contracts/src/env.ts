/**
 * Environment variables: the building blocks every process's env schema is made of, the
 * variables several processes share (defined once here and composed), and `parseEnv`, which
 * turns zod's issues into one error naming each bad variable and its value.
 *
 * Each process (api, scheduler, worker, the all-in-one start) owns exactly one z.object of
 * these; the README's configuration table is generated from those objects (`envTable`), so a
 * variable's default and unit are written once, in its `.describe()`.
 */
import { z } from "zod";

/** `VAR=` (as compose files and shells write "no value") means unset, so the default applies. */
const unset = (v: unknown): unknown => (v === "" ? undefined : v);

export interface IntVarOptions {
  min: number;
  max: number;
  /** A number, or a function for a default that depends on the machine (then give defaultText). */
  default?: number | (() => number);
  /** How the README shows a computed default ("CPU cores"). */
  defaultText?: string;
  /** What it is, with its unit. */
  description: string;
}

/** Description and, for a computed default, how the README shows it. */
function documented<T extends z.ZodType>(s: T, o: { description: string; defaultText?: string }): T {
  return o.defaultText ? s.meta({ description: o.description, defaultText: o.defaultText }) : s.describe(o.description);
}

/** An integer variable in [min, max]; "" counts as unset. */
export function intVar(o: IntVarOptions & { default: number | (() => number) }): z.ZodType<number, unknown>;
export function intVar(o: IntVarOptions): z.ZodType<number | undefined, unknown>;
export function intVar(o: IntVarOptions): z.ZodType<number | undefined, unknown> {
  const error = `expected an integer in [${o.min}, ${o.max}]`;
  const n = z.coerce.number({ error }).int({ error }).min(o.min, { error }).max(o.max, { error });
  const inner = o.default === undefined ? n.optional() : n.default(o.default as number);
  return documented(z.preprocess(unset, inner), o);
}

interface StringVarOptions {
  default?: string;
  defaultText?: string;
  description: string;
}
/** A free-form string; "" counts as unset. */
export function stringVar(o: StringVarOptions & { default: string }): z.ZodType<string, unknown>;
export function stringVar(o: StringVarOptions): z.ZodType<string | undefined, unknown>;
export function stringVar(o: StringVarOptions): z.ZodType<string | undefined, unknown> {
  const inner = o.default === undefined ? z.string().optional() : z.string().default(o.default);
  return documented(z.preprocess(unset, inner), o);
}

/** A comma-separated list ("a, b,,c" → ["a","b","c"]); each item must match `item`. Unset → []. */
export function listVar(o: { description: string; item?: z.ZodString }) {
  const item = o.item ?? z.string();
  return z
    .string()
    .default("")
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item))
    .meta({ description: o.description, defaultText: "unset (empty list)" });
}

/** "true"/"1"/"false"/"0"; "" counts as unset. */
export function boolVar(o: { default: boolean; description: string }) {
  return z
    .preprocess(unset, z.enum(["true", "false", "1", "0"], { error: "expected true or false" }).default(o.default ? "true" : "false"))
    .transform((v) => v === "true" || v === "1")
    .describe(o.description);
}

const PG_URL = /^postgres(ql)?:\/\//;
const REDIS_URL = /^rediss?:\/\//;

interface UrlVarOptions {
  required: boolean;
  description: string;
}
function urlVar(pattern: RegExp, what: string, o: UrlVarOptions): z.ZodType<string | undefined, unknown> {
  const s = z.string({ error: (iss) => (iss.input === undefined ? "is required" : `expected ${what}`) }).regex(pattern, { error: `expected ${what}` });
  return z.preprocess(unset, o.required ? s : s.optional()).describe(o.description);
}

/** DATABASE_URL: the rule is shared, whether it is required and what unset means is the process's. */
export function databaseUrlVar(o: UrlVarOptions & { required: true }): z.ZodType<string, unknown>;
export function databaseUrlVar(o: UrlVarOptions): z.ZodType<string | undefined, unknown>;
export function databaseUrlVar(o: UrlVarOptions): z.ZodType<string | undefined, unknown> {
  return urlVar(PG_URL, "a postgresql:// URL", o);
}
/** REDIS_URL, likewise. */
export function redisUrlVar(o: UrlVarOptions & { required: true }): z.ZodType<string, unknown>;
export function redisUrlVar(o: UrlVarOptions): z.ZodType<string | undefined, unknown>;
export function redisUrlVar(o: UrlVarOptions): z.ZodType<string | undefined, unknown> {
  return urlVar(REDIS_URL, "a redis:// or rediss:// URL", o);
}

/**
 * The BullMQ key prefix rule (packages/queue validates its option with the same schema).
 * Unlike other variables an empty value is refused, not defaulted: `HPS_QUEUE_PREFIX=` is far
 * more likely a broken template than a wish for "hps", and a worker and a scheduler that
 * silently disagree on the prefix never meet.
 */
export const QueuePrefix = z
  .string({ error: "expected 1–100 characters of [A-Za-z0-9_.:-]" })
  .regex(/^[A-Za-z0-9_.:-]{1,100}$/, { error: "expected 1–100 characters of [A-Za-z0-9_.:-] (an empty prefix is refused)" });
export const DEFAULT_QUEUE_PREFIX = "hps";

/** The variables more than one process reads, each defined once. */
/** 1,536 MB: two training threads at their budget plus ~1 GB for the process fit a 4 GB container. */
export const DEFAULT_TRIAL_MEMORY_MB = 1536;

export const sharedEnv = {
  /** Worker and scheduler cannot run without Postgres and Redis. */
  DATABASE_URL: databaseUrlVar({ required: true, description: "Postgres connection URL (postgresql://…)" }),
  REDIS_URL: redisUrlVar({ required: true, description: "Redis URL of the BullMQ queue (redis://…)" }),
  HPS_QUEUE_PREFIX: QueuePrefix.default(DEFAULT_QUEUE_PREFIX).describe("BullMQ key prefix of every Redis key; must be the same for api, scheduler and workers"),
  HPS_TRIAL_MEMORY_MB: intVar({
    min: 64,
    max: 1_048_576,
    default: DEFAULT_TRIAL_MEMORY_MB,
    description:
      "memory budget of one trial, MB: the API refuses (422) a spec whose largest possible trial is estimated above it; a worker thread's allocations past it fail the trial (never retried). Default: what a worker with 2 training threads can afford in a 4 GB container",
  }),
  LOG_LEVEL: z
    .preprocess(unset, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "expected fatal|error|warn|info|debug|trace|silent" }).default("info"))
    .describe("pino log level"),
} as const;

/** One bad variable: its name, the value it had, and what was expected. */
export interface EnvIssue {
  variable: string;
  value: string | undefined;
  message: string;
}

export class EnvError extends Error {
  readonly code = "invalid_env";
  constructor(
    readonly processName: string,
    readonly issues: EnvIssue[],
  ) {
    super(`invalid environment for the ${processName}: ${issues.map((i) => `${i.variable}${i.value === undefined ? "" : `=${JSON.stringify(i.value)}`}: ${i.message}`).join("; ")}`);
    this.name = "EnvError";
  }
}

/** Parses `env` with a process's schema; every bad variable is named in one EnvError. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, processName: string): z.output<S> {
  const r = schema.safeParse(env);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const variable = String(i.path[0] ?? "");
    return { variable, value: env[variable], message: i.message };
  });
  throw new EnvError(processName, issues);
}
