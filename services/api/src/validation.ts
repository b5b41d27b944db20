/**
 * Request validation with zod: the route schemas ARE the contracts' zod schemas. Unlike
 * fastify-type-provider-zod's own validator (which joins paths with "/"), failures keep
 * the zod issues so the error handler can report dotted paths — space keys contain dots
 * themselves, so "space.training.learningRate.low" is the path of that field.
 */
import type { FastifySchemaCompiler } from "fastify";
import { z } from "zod";
import type { Issue } from "@hps/contracts";

export type HttpPart = "body" | "querystring" | "params" | "headers";

/** A request part did not match its schema. `unprocessable`: well-formed but names something that does not exist (e.g. a dataset). */
export class RequestValidationError extends Error {
  readonly code = "invalid_request";
  readonly statusCode = 400;
  constructor(
    readonly part: HttpPart,
    readonly issues: Issue[],
    readonly unprocessable: boolean,
  ) {
    super(`invalid ${part}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`);
    this.name = "RequestValidationError";
  }
}

/** Paths whose invalid enum value means "well-formed, but no such thing here" → 422 rather than 400. */
const UNPROCESSABLE_ENUM_PATHS = new Set(["dataset.name"]);

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = z.safeParse(schema, data);
    if (result.success) return { value: result.data };
    const issues = toIssues(result.error.issues);
    const unprocessable = result.error.issues.every((i) => i.code === "invalid_value" && UNPROCESSABLE_ENUM_PATHS.has(joinPath(i.path)));
    return { error: new RequestValidationError((httpPart ?? "body") as HttpPart, issues, unprocessable) };
  };

/**
 * zod issues → contract issues; an unrecognized_keys issue becomes one issue per key, naming it;
 * a rejected record key (zod's generic "Invalid key in record") reports why the key was refused.
 */
export function toIssues(issues: readonly z.core.$ZodIssue[]): Issue[] {
  return issues.flatMap((i): Issue[] => {
    if (i.code === "unrecognized_keys") return i.keys.map((k) => ({ path: joinPath([...i.path, k]), message: `unknown key "${k}"` }));
    if (i.code === "invalid_key") return i.issues.map((inner) => ({ path: joinPath([...i.path, ...inner.path]), message: inner.message }));
    return [{ path: joinPath(i.path), message: i.message }];
  });
}

export function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}
