import { describe, expect, it } from "vitest";
import { Loss } from "@hps/contracts";
import { UnknownNameError } from "../unknown-name-error.ts";
import { MulticlassSvm } from "./multiclass-svm.ts";
import { LOSSES, createLoss } from "./registry.ts";
import { SoftmaxCrossEntropy } from "./softmax-cross-entropy.ts";

describe("loss registry", () => {
  it("has a constructor for every loss the config allows", () => {
    expect(Object.keys(LOSSES).sort()).toEqual([...Loss.options].sort());
    expect(createLoss("softmax")).toBeInstanceOf(SoftmaxCrossEntropy);
    expect(createLoss("svm")).toBeInstanceOf(MulticlassSvm);
  });

  it("throws a typed error on an unknown name", () => {
    expect(() => createLoss("hinge")).toThrow(UnknownNameError);
    expect(() => createLoss("hinge")).toThrow(expect.objectContaining({ code: "unknown_name" }));
    expect(() => createLoss("toString")).toThrow(/unknown loss "toString"/);
  });
});
