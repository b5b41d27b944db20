import { describe, expect, it } from "vitest";
import { Activation, Loss } from "@hps/contracts";
import { MulticlassSvm } from "../losses/multiclass-svm.ts";
import { SoftmaxCrossEntropy } from "../losses/softmax-cross-entropy.ts";
import { ACTIVATIONS, LOSSES, UnknownNameError, createActivation, createLoss } from "./registry.ts";

describe("registry", () => {
  it("has a constructor for every activation and loss the config allows", () => {
    expect(Object.keys(ACTIVATIONS).sort()).toEqual([...Activation.options].sort());
    expect(Object.keys(LOSSES).sort()).toEqual([...Loss.options].sort());
    for (const name of Activation.options) expect(createActivation(name, [4], { maxoutPieces: 2 }).kind).toBe(name);
    expect(createLoss("softmax")).toBeInstanceOf(SoftmaxCrossEntropy);
    expect(createLoss("svm")).toBeInstanceOf(MulticlassSvm);
  });

  it("passes options through", () => {
    expect(createActivation("leaky_relu", [2], { leakySlope: 0.3 })).toMatchObject({ slope: 0.3 });
    expect(createActivation("maxout", [6], { maxoutPieces: 3 }).outShape).toEqual([2]);
  });

  it("throws a typed error on an unknown name", () => {
    expect(() => createActivation("swish", [2])).toThrow(UnknownNameError);
    expect(() => createActivation("toString", [2])).toThrow(/unknown activation "toString"/);
    expect(() => createLoss("hinge")).toThrow(expect.objectContaining({ code: "unknown_name" }));
  });
});
