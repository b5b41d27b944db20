import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assembleKernels, binaryModuleText } from "./assemble.ts";
import { kernelsWat } from "./wat-source.ts";

// The committed kernels.wat and wasm-binary.generated.ts must be exactly what `pnpm build:wasm`
// would write from wat-source.ts today, so the source and the shipped binary never drift.
describe("committed WebAssembly binary", () => {
  it("kernels.wat is the text wat-source.ts generates", () => {
    expect(readFileSync(new URL("./kernels.wat", import.meta.url), "utf8")).toBe(kernelsWat());
  });

  it("wasm-binary.generated.ts is wabt's assembly of that text", async () => {
    const bytes = await assembleKernels(kernelsWat());
    expect(readFileSync(new URL("./wasm-binary.generated.ts", import.meta.url), "utf8")).toBe(binaryModuleText(bytes));
  });
});
