/**
 * `pnpm build:wasm`: assembles the kernels' WAT (src/kernels/wat-source.ts) with wabt and writes
 *   src/kernels/kernels.wat               — the generated text, for reading and review;
 *   src/kernels/wasm-binary.generated.ts  — the binary as base64, imported at runtime.
 * Both are committed, so installing or running the core needs neither wabt nor a build step;
 * src/kernels/wasm-binary.test.ts checks they match what this script would write.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { assembleKernels, binaryModuleText } from "../src/kernels/assemble.ts";
import { kernelsWat } from "../src/kernels/wat-source.ts";

const dir = fileURLToPath(new URL("../src/kernels/", import.meta.url));
const wat = kernelsWat();
const bytes = await assembleKernels(wat);
writeFileSync(`${dir}kernels.wat`, wat);
writeFileSync(`${dir}wasm-binary.generated.ts`, binaryModuleText(bytes));
console.log(`wrote kernels.wat (${wat.length} chars) and wasm-binary.generated.ts (${bytes.length} bytes of wasm)`);
