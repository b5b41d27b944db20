/**
 * `pnpm build:wasm`: assembles the kernels' WAT (src/kernels/wat-source.ts) with wabt, once per
 * kernel path, and writes
 *   src/kernels/kernels.wat               — the SIMD128 module's text, for reading and review;
 *   src/kernels/kernels-fma.wat           — the relaxed-SIMD (FMA) module's text;
 *   src/kernels/wasm-binary.generated.ts  — both binaries as base64, imported at runtime.
 * All are committed, so installing or running the core needs neither wabt nor a build step;
 * src/kernels/wasm-binary.test.ts checks they match what this script would write.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { assembleBoth, binaryModuleText } from "../src/kernels/assemble.ts";
import { kernelsWat } from "../src/kernels/wat-source.ts";

const dir = fileURLToPath(new URL("../src/kernels/", import.meta.url));
const wat = { simd128: kernelsWat({ fma: false }), fma: kernelsWat({ fma: true }) };
const bytes = await assembleBoth(wat);
writeFileSync(`${dir}kernels.wat`, wat.simd128);
writeFileSync(`${dir}kernels-fma.wat`, wat.fma);
writeFileSync(`${dir}wasm-binary.generated.ts`, binaryModuleText(bytes));
console.log(`wrote kernels.wat (${wat.simd128.length} chars), kernels-fma.wat (${wat.fma.length} chars) and wasm-binary.generated.ts (${bytes.simd128.length} + ${bytes.fma.length} bytes of wasm)`);
