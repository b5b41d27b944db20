import { availableParallelism } from "node:os";
import { describe, expect, it, vi } from "vitest";
import { resolveKernelPath } from "@hps/core";
import { readWorkerEnv } from "./env.ts";

// The one seam: whether this runtime compiles relaxed SIMD (every Node this repo runs on does, Node 20
// once the core sets V8's flag), so "fma cannot run here" is simulated by making the core's resolver
// refuse it and its runnable paths leave it out. Everything else is the real core.
const runtime = vi.hoisted(() => ({ fma: true }));
vi.mock("@hps/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@hps/core")>();
  return {
    ...core,
    resolveKernelPath: (p: "auto" | "fma" | "simd128") => {
      if (runtime.fma) return core.resolveKernelPath(p);
      if (p === "fma") throw new Error("the FMA kernels need WebAssembly relaxed SIMD");
      return p === "auto" ? "simd128" : p;
    },
    runnableKernelPaths: () => (runtime.fma ? core.runnableKernelPaths() : ["simd128"]),
  };
});

const base = { DATABASE_URL: "postgresql://u@h/db", REDIS_URL: "redis://h:6379" };

describe("readWorkerEnv", () => {
  it("applies the documented defaults", () => {
    expect(readWorkerEnv(base)).toEqual({
      databaseUrl: base.DATABASE_URL,
      redisUrl: base.REDIS_URL,
      concurrency: availableParallelism(),
      lockMs: 30_000,
      shutdownGraceMs: 25_000,
      prefix: "hps",
      logLevel: "info",
      workerId: expect.stringMatching(new RegExp(`:${process.pid}$`)),
      trialMemoryBytes: 1536 * 2 ** 20,
      datasetCacheDir: expect.stringMatching(/hps-datasets$/),
      kernelPath: resolveKernelPath("auto"),
    });
  });

  it("HPS_KERNEL_PATH: auto resolves to this runtime's path, fma and simd128 force one, anything else is named", () => {
    expect(readWorkerEnv(base).kernelPath).toBe("fma"); // relaxed SIMD compiles on Node 20 (with the flag) and 24
    expect(readWorkerEnv({ ...base, HPS_KERNEL_PATH: "" }).kernelPath).toBe("fma");
    expect(readWorkerEnv({ ...base, HPS_KERNEL_PATH: "simd128" }).kernelPath).toBe("simd128");
    expect(readWorkerEnv({ ...base, HPS_KERNEL_PATH: "fma" }).kernelPath).toBe("fma");
    expect(() => readWorkerEnv({ ...base, HPS_KERNEL_PATH: "avx2" })).toThrow(/HPS_KERNEL_PATH="avx2": expected auto\|simd128\|fma/);
  });

  it("HPS_KERNEL_PATH=fma where relaxed SIMD does not compile is a start-up error; auto falls back to simd128", () => {
    runtime.fma = false;
    try {
      expect(() => readWorkerEnv({ ...base, HPS_KERNEL_PATH: "fma" })).toThrow(/HPS_KERNEL_PATH="fma": the FMA kernels need WebAssembly relaxed SIMD/);
      expect(readWorkerEnv(base).kernelPath).toBe("simd128");
      expect(readWorkerEnv({ ...base, HPS_KERNEL_PATH: "simd128" }).kernelPath).toBe("simd128");
    } finally {
      runtime.fma = true;
    }
  });

  it("reads every variable", () => {
    const env = readWorkerEnv({ ...base, WORKER_CONCURRENCY: "3", WORKER_LOCK_MS: "5000", WORKER_SHUTDOWN_GRACE_MS: "0", HPS_QUEUE_PREFIX: "q", LOG_LEVEL: "warn", HPS_WORKER_ID: "w1" });
    expect(env).toMatchObject({ concurrency: 3, lockMs: 5000, shutdownGraceMs: 0, prefix: "q", logLevel: "warn", workerId: "w1" });
  });

  it("requires DATABASE_URL and REDIS_URL, naming them", () => {
    expect(() => readWorkerEnv({ REDIS_URL: base.REDIS_URL })).toThrow(/DATABASE_URL: is required/);
    expect(() => readWorkerEnv({ DATABASE_URL: base.DATABASE_URL, REDIS_URL: "" })).toThrow(/REDIS_URL="": is required/);
  });

  it("rejects bad numbers, naming the variable and the value", () => {
    expect(() => readWorkerEnv({ ...base, WORKER_LOCK_MS: "999" })).toThrow(/WORKER_LOCK_MS="999": expected an integer in \[1000, 3600000\]/);
    expect(() => readWorkerEnv({ ...base, WORKER_CONCURRENCY: "1.5" })).toThrow(/WORKER_CONCURRENCY="1.5"/);
  });
});
