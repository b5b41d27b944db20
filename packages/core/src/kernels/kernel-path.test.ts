import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { maxRelDiff, randomArray } from "../test-kit.ts";
import { kernelPath, selectKernelPath } from "./arena.ts";
import { sgemm } from "./gemm.ts";
import { sgemmRef } from "./gemm-ref.ts";
import { parseKernelPath, relaxedSimdSupported, resolveKernelPath, runnableKernelPaths } from "./kernel-path.ts";

// The tolerance of both paths against the float64-accumulating twin is gemm.test.ts's K/2 ulps
// bound: FMA rounds once per term instead of twice, so it is never further from the exact sum than
// mul + add; the two paths may differ from each other by up to twice that, in the last bits.
const tol = (K: number) => 1e-6 + K * 6e-8;
const M = 64, N = 96, K = 784;

function product(rng: Rng): { A: Float32Array; B: Float32Array } {
  return { A: randomArray(rng, M * K, true), B: randomArray(rng, K * N, true) };
}
function run(A: Float32Array, B: Float32Array): Float32Array {
  const C = randomArray(new Rng(0), M * N, true);
  sgemm(false, false, M, N, K, A, 0, B, 0, C, 0, 0);
  return Float32Array.from(C);
}

describe("kernel path selection", () => {
  const atStart = kernelPath();
  afterAll(() => { selectKernelPath(atStart); });

  it("this file runs on the path its vitest project forces (FMA by default)", () => {
    expect(atStart).toBe(process.env.HPS_TEST_KERNEL_PATH ?? "fma");
  });

  it("auto picks FMA on the supported runtimes (Node 24 by default, Node 20 through V8's flag)", () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect(runnableKernelPaths()).toEqual(["simd128", "fma"]);
    expect(selectKernelPath("auto")).toBe("fma");
    expect(kernelPath()).toBe("fma");
  });

  it("the paths agree within rounding, differ in the last bits, and each is deterministic", () => {
    const { A, B } = product(new Rng(5));
    const ref = randomArray(new Rng(0), M * N, false);
    sgemmRef(false, false, M, N, K, A, 0, B, 0, ref, 0, 0);
    selectKernelPath("simd128");
    const plain = run(A, B), plainAgain = run(A, B);
    selectKernelPath("fma");
    const fused = run(A, B), fusedAgain = run(A, B);
    expect(plainAgain).toEqual(plain);
    expect(fusedAgain).toEqual(fused);
    expect(maxRelDiff(plain, ref)).toBeLessThan(tol(K));
    expect(maxRelDiff(fused, ref)).toBeLessThan(tol(K));
    // If these were equal, relaxed_madd would not be fused here (a CPU without FMA3): the FMA path would buy nothing.
    expect(maxRelDiff(fused, plain)).toBeGreaterThan(0);
  });

  it("resolveKernelPath names the path a request gets without switching this thread's kernels", () => {
    const before = kernelPath();
    expect(resolveKernelPath("auto")).toBe("fma");
    expect(resolveKernelPath("simd128")).toBe("simd128");
    expect(resolveKernelPath("fma")).toBe("fma");
    expect(kernelPath()).toBe(before);
  });

  it("names a bad path value", () => {
    expect(parseKernelPath("simd128")).toBe("simd128");
    expect(parseKernelPath("auto")).toBe("auto");
    expect(() => parseKernelPath("avx2")).toThrow(/auto, simd128, fma; got "avx2"/);
  });

  it("a worker thread of a fresh process picks FMA on its own (the V8 flag set there, before its kernels compile)", () => {
    // The main thread of the child never imports the core, so only the worker thread can have set the flag.
    const require = createRequire(import.meta.url);
    const core = new URL("../index.ts", import.meta.url).href;
    // Worker threads do not inherit the tsx loader here (see services/worker/src/train-thread-boot.mjs): register it first.
    const tsxApi = pathToFileURL(require.resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href; // its ESM entry
    const workerCode = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(core)}); })
      .then((m) => require("node:worker_threads").parentPort.postMessage(m.kernelPath()))`;
    const main = `const { Worker } = require("node:worker_threads");
      const before = WebAssembly.validate(Buffer.from("AGFzbQEAAAABCAFgA3t7ewF7AwIBAAcFAQFmAAAKDQELACAAIAEgAv2FAgs=", "base64"));
      new Worker(${JSON.stringify(workerCode)}, { eval: true }).on("message", (p) => { console.log(JSON.stringify({ before, path: p })); process.exit(0); });`;
    const out = execFileSync(process.execPath, ["-e", main], { encoding: "utf8", timeout: 60_000 });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { before: boolean; path: string };
    expect(r.path).toBe("fma");
    expect(r.before).toBe(+process.versions.node.split(".")[0]! >= 22); // Node 20 starts without relaxed SIMD
  }, 60_000);
});
