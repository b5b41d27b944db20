import { describe, expect, it } from "vitest";
import { readStartEnv } from "./start-env.ts";

describe("the all-in-one start's environment", () => {
  it("passes HPS_KERNEL_PATH to its worker as the worker process reads it", () => {
    expect(readStartEnv({ HPS_KERNEL_PATH: "simd128" }).kernelPath).toBe("simd128");
    expect(["fma", "simd128"]).toContain(readStartEnv({}).kernelPath); // auto, resolved on this runtime
    expect(() => readStartEnv({ HPS_KERNEL_PATH: "avx512" })).toThrow(/HPS_KERNEL_PATH/);
  });
});
