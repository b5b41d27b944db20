import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assembleBoth, binaryModuleText } from "./assemble.ts";
import { kernelsWat } from "./wat-source.ts";

// The committed kernels.wat, kernels-fma.wat and wasm-binary.generated.ts must be exactly what
// `pnpm build:wasm` would write from wat-source.ts today, so the source and the shipped binaries never drift.
describe("committed WebAssembly binaries", () => {
  const wat = { simd128: kernelsWat({ fma: false }), fma: kernelsWat({ fma: true }) };

  it("kernels.wat and kernels-fma.wat are the texts wat-source.ts generates", () => {
    expect(readFileSync(new URL("./kernels.wat", import.meta.url), "utf8")).toBe(wat.simd128);
    expect(readFileSync(new URL("./kernels-fma.wat", import.meta.url), "utf8")).toBe(wat.fma);
  });

  it("the two modules differ only in their multiply-adds", () => {
    const fmaOps = wat.fma.match(/f32x4\.relaxed_n?madd/g) ?? [];
    expect(fmaOps.length).toBeGreaterThan(0);
    expect(wat.simd128).not.toMatch(/relaxed/);
  });

  it("wasm-binary.generated.ts is wabt's assembly of those texts", async () => {
    const bytes = await assembleBoth(wat);
    expect(readFileSync(new URL("./wasm-binary.generated.ts", import.meta.url), "utf8")).toBe(binaryModuleText(bytes));
  });
});
