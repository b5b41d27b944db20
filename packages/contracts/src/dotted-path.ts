/** Dotted paths ("training.learningRate") address fields of a nested config object. */

export function splitPath(path: string): string[] {
  return path.split(".");
}

export function getAtPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of splitPath(path)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Returns a copy of `obj` with `value` written at `path`; intermediate objects are created/copied, never mutated. */
export function setAtPath<T>(obj: T, path: string, value: unknown): T {
  const keys = splitPath(path);
  const write = (node: unknown, i: number): unknown => {
    const base = node !== null && typeof node === "object" && !Array.isArray(node) ? (node as Record<string, unknown>) : {};
    const key = keys[i]!;
    return { ...base, [key]: i === keys.length - 1 ? value : write(base[key], i + 1) };
  };
  return write(obj, 0) as T;
}
