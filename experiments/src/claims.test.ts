import { describe, it } from "vitest";
import type { RunContext } from "./claim.ts";
import { CLAIMS } from "./claims/index.ts";
import { expectQuickResult } from "./quick-expectations.ts";

/** A claim with no database: the context refuses the product (API claims are in api-claims.test.ts). */
const NO_PRODUCT: RunContext = { product: () => Promise.reject(new Error("unit tests have no product: API claims run in api-claims.test.ts")) };

describe("experiments (quick)", () => {
  for (const claim of CLAIMS.filter((c) => !c.api)) {
    it(`claim ${claim.id}: ${claim.title}`, async () => {
      expectQuickResult(claim.id, await claim.run("quick", NO_PRODUCT));
    });
  }
});
