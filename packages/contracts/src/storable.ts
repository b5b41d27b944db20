/**
 * Strings Postgres can store. A text or jsonb value may not contain U+0000 (text: "invalid byte
 * sequence"; jsonb: "unsupported Unicode escape sequence"), and a JS string with an unpaired
 * UTF-16 surrogate has no UTF-8 form at all (jsonb rejects its `\ud800` escape; a text column
 * would silently get U+FFFD). In a UTF-8 database every other code point is accepted.
 *
 * Every schema that carries a client's string into storage uses `StorableString` (names,
 * space paths, query strings) or `StorableJson` (free-form values such as choice values), so
 * such input is a 400 naming the field instead of a 500 from the database.
 */
import { z } from "zod";

export const UNSTORABLE_MESSAGE = "contains a character that cannot be stored (U+0000 or an unpaired UTF-16 surrogate)";

/** U+0000, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** No NUL and well-formed UTF-16 (every surrogate paired; String.prototype.isWellFormed is ES2024). */
export function isStorable(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** A string Postgres can store in text and jsonb. Chain .min/.max etc. on it. */
export const StorableString = z.string().refine(isStorable, { error: UNSTORABLE_MESSAGE });

/**
 * Keys that would reach Object.prototype when a dotted path or record key is written into a
 * plain object (`obj["__proto__"] = …`); refused wherever a client's key names a field.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Deeper values are refused: Postgres's jsonb parser and any recursive reader have a stack limit. */
export const MAX_JSON_DEPTH = 32;

/**
 * Any JSON value whose strings and object keys are all storable (keys also not FORBIDDEN_KEYS),
 * with finite numbers, at most MAX_JSON_DEPTH deep. Issues name the exact offending element.
 */
export const StorableJson = z.unknown().superRefine((value, ctx) => {
  // Iterative walk: a value nested 100k deep must be refused, not overflow the stack.
  const stack: Array<{ v: unknown; path: (string | number)[] }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    const issue = (message: string, at = path) => ctx.addIssue({ code: "custom", path: at, message });
    if (path.length > MAX_JSON_DEPTH) {
      issue(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (typeof v === "string") {
      if (!isStorable(v)) issue(UNSTORABLE_MESSAGE);
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) issue("must be a finite number");
    } else if (typeof v === "boolean" || v === null) {
      // fine
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    } else if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v)) {
        if (!isStorable(k)) issue(`key ${UNSTORABLE_MESSAGE}`, [...path, k]);
        else if (FORBIDDEN_KEYS.has(k)) issue(`key "${k}" is not allowed`, [...path, k]);
        else stack.push({ v: x, path: [...path, k] });
      }
    } else {
      issue("must be a JSON value");
    }
  }
}) as unknown as z.ZodType<Json>;
