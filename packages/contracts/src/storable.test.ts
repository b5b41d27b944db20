import { describe, expect, it } from "vitest";
import { SearchSpec } from "./search-spec.ts";
import { PageQuery, TrialListQuery } from "./http.ts";
import { isStorable, MAX_JSON_DEPTH, StorableJson } from "./storable.ts";

const valid = {
  name: "t",
  dataset: { name: "spiral", trainSize: 300, valSize: 100 },
  model: { hidden: [16] },
  space: { "model.hidden": { type: "choice", values: [[8], [16]] } },
  strategy: { type: "random", trials: 4 },
};
const issues = (input: unknown) => {
  const r = SearchSpec.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};

describe("isStorable", () => {
  it("refuses NUL and unpaired surrogates, accepts everything else", () => {
    for (const bad of ["\u0000", "a\u0000b", "\ud800", "x\udbff", "\udc00", "\udfffy", "\udc00\ud800", "😀".slice(0, 1), "😀".slice(1)]) expect(isStorable(bad), JSON.stringify(bad)).toBe(false);
    for (const ok of ["", "plain", "😀", "\ud83d\ude00x", "\u0001\u001f", "\uffff\ufffe", "é漢字", "\u2028"]) expect(isStorable(ok), JSON.stringify(ok)).toBe(true);
  });
});

describe("StorableJson", () => {
  it("names the exact element that cannot be stored", () => {
    const r = StorableJson.safeParse({ a: [1, "ok", { b: "\u0000" }], ["k\ud800"]: 1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["a.2.b", "k\ud800"]));
  });

  it("refuses prototype keys, non-finite numbers and values nested too deep (without overflowing the stack)", () => {
    expect(StorableJson.safeParse(JSON.parse('{"__proto__": 1}')).success).toBe(false);
    expect(StorableJson.safeParse({ constructor: 1 }).success).toBe(false);
    expect(StorableJson.safeParse([Number.NaN]).success).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    expect(StorableJson.safeParse(deep).success).toBe(true);
    expect(StorableJson.safeParse([deep]).success).toBe(false);
    expect(StorableJson.safeParse(JSON.parse("[".repeat(200_000) + "]".repeat(200_000))).success).toBe(false);
  });
});

describe("every string field of the spec and the queries is storable", () => {
  it.each([
    ["name", { ...valid, name: "\u0000" }, "name"],
    ["name (lone surrogate)", { ...valid, name: "a\ud800" }, "name"],
    ["a space path", { ...valid, space: { "model.hidden\u0000": { type: "choice", values: [[8]] } } }, "space.model.hidden\u0000"],
    ["a choice value", { ...valid, space: { "model.activation": { type: "choice", values: ["relu", "\udc00"] } } }, "space.model.activation.values.1"],
  ])("%s", (_what, input, path) => {
    expect(issues(input)).toContainEqual({ path, message: expect.stringMatching(/cannot be stored/) });
  });

  it("queries: cursor and changedSince", () => {
    expect(PageQuery.safeParse({ cursor: "\u0000" }).success).toBe(false);
    expect(TrialListQuery.safeParse({ changedSince: "\ud800" }).success).toBe(false);
    expect(TrialListQuery.safeParse({ changedSince: "2026-01-01T00:00:00Z", cursor: "abc😀" }).success).toBe(true);
  });
});

describe("space paths may not reach Object.prototype", () => {
  it.each(["__proto__", "constructor", "prototype", "model.__proto__", "model.constructor", "training.prototype"])("%s", (key) => {
    const space = JSON.parse(JSON.stringify({ [key]: { type: "choice", values: [1] } }).replace('"__proto__"', '"__proto__"'));
    const found = issues({ ...valid, space });
    expect(found.map((i) => i.path)).toContain(`space.${key}`);
  });

  it("an own __proto__ key from JSON.parse is refused, not silently dropped", () => {
    const spec = JSON.parse(JSON.stringify(valid).replace('"model.hidden"', '"__proto__"'));
    expect(Object.hasOwn(spec.space, "__proto__")).toBe(true);
    expect(SearchSpec.safeParse(spec).success).toBe(false);
  });
});
