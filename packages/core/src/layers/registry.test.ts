import { describe, expect, it } from "vitest";
import { Activation } from "@hps/contracts";
import { UnknownNameError } from "../unknown-name-error.ts";
import { ACTIVATIONS, createActivation } from "./registry.ts";

describe("activation registry", () => {
  it("has a constructor for every activation the config allows", () => {
    expect(Object.keys(ACTIVATIONS).sort()).toEqual([...Activation.options].sort());
    for (const name of Activation.options) expect(createActivation(name, [4], { maxoutPieces: 2 }).kind).toBe(name);
  });

  it("passes options through", () => {
    expect(createActivation("leaky_relu", [2], { leakySlope: 0.3 })).toMatchObject({ slope: 0.3 });
    expect(createActivation("maxout", [6], { maxoutPieces: 3 }).outShape).toEqual([2]);
  });

  it("throws a typed error on an unknown name", () => {
    expect(() => createActivation("swish", [2])).toThrow(UnknownNameError);
    expect(() => createActivation("toString", [2])).toThrow(/unknown activation "toString"/);
  });
});
