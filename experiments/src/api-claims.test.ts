import { afterAll, describe, it } from "vitest";
import type { RunContext } from "./claim.ts";
import { CLAIMS } from "./claims/index.ts";
import { startProduct, type Product } from "./product.ts";
import { expectQuickResult } from "./quick-expectations.ts";

/**
 * The quick versions of the claims that run through the public API: one real product (scripts/start.ts
 * with its embedded Postgres and worker threads, on an ephemeral port) shared by all of them.
 */
let product: Promise<Product> | null = null;
const ctx: RunContext = { product: () => (product ??= startProduct()) };

describe("experiments through the API (quick)", () => {
  afterAll(async () => {
    if (product) await (await product).close();
  }, 120_000);
  for (const claim of CLAIMS.filter((c) => c.api)) {
    it(`claim ${claim.id}: ${claim.title}`, async () => {
      expectQuickResult(claim.id, await claim.run("quick", ctx));
    }, 600_000);
  }
});
