import { describe, expect, it } from "vitest";
import { cloneSpec, EXAMPLE_SPEC, parseSpec } from "../public/js/views/new.js";
import { roundBody } from "../public/js/views/round-form.js";

describe("the new-search editor", () => {
  it("parses the editor's JSON, or says it is not JSON", () => {
    expect(parseSpec('{"name": "a"}')).toEqual({ name: "a" });
    expect(() => parseSpec("{ not json")).toThrow(/^The spec is not valid JSON: /);
  });

  it("clones a spec under a new name, leaving the original alone", () => {
    const spec = { name: "lr", space: { a: 1 } };
    expect(cloneSpec(spec)).toEqual({ name: "lr (copy)", space: { a: 1 } });
    expect(spec.name).toBe("lr");
  });

  it("starts from a spec that round-trips through the editor", () => {
    expect(parseSpec(JSON.stringify(EXAMPLE_SPEC, null, 2))).toEqual(EXAMPLE_SPEC);
  });
});

describe("roundBody (the next-round form)", () => {
  it("sends only the fields filled in, numbers as numbers", () => {
    expect(roundBody({ space: "", trials: "", epochs: "", pruner: "" })).toEqual({});
    expect(roundBody({ space: '{"training.l2": {"type": "loguniform", "low": 1e-6, "high": 1e-2}}', trials: "12", epochs: " 8 ", pruner: "" })).toEqual({
      space: { "training.l2": { type: "loguniform", low: 1e-6, high: 1e-2 } },
      trials: 12,
      epochs: 8,
    });
    expect(roundBody({ space: "", trials: "", epochs: "", pruner: '{"type": "median", "warmupEpochs": 1, "minTrials": 3}' })).toEqual({ pruner: { type: "median", warmupEpochs: 1, minTrials: 3 } });
  });

  it("names the field whose JSON does not parse", () => {
    expect(() => roundBody({ space: "{", trials: "", epochs: "", pruner: "" })).toThrow(/^space: /);
    expect(() => roundBody({ space: "", trials: "", epochs: "", pruner: "median" })).toThrow(/^pruner: /);
  });
});
