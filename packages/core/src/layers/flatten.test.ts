import { describe, expect, it } from "vitest";
import { layerGradCheck } from "../gradcheck.ts";
import { Rng } from "../rng.ts";
import { Flatten } from "./flatten.ts";
import { randn, expectGradientMatches } from "../test-kit.ts";

describe("Flatten", () => {
  it("turns [C, H, W] into [C·H·W] without copying, and passes a gradient check", () => {
    const layer = new Flatten([2, 3, 4]);
    expect(layer.outShape).toEqual([24]);
    const rng = new Rng(1);
    const x = randn(rng, 48);
    expect(layer.forward(x, 2, true)).toBe(x);
    expectGradientMatches(layerGradCheck(layer, x, 2, rng).dx, "dx");
  });
});
