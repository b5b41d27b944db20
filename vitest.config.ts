import { defineConfig } from "vitest/config";

/**
 * Three projects. `integration`: every test that talks to Postgres or Redis (the globalSetup that
 * finds them runs for this project only). `unit`: everything else, runnable on a machine with
 * neither; `unit-simd128`: the kernel-path-dependent unit tests again on the SIMD128 kernels
 * (`pnpm test:unit` runs both). `npm test` runs all three.
 */
const ALL = ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "bench/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts", "experiments/src/**/*.test.ts", "services/dashboard/test/**/*.test.ts"];

/**
 * The tests that use real Postgres/Redis: the storage, queue and service layers (minus their pure
 * tests, named in the extglobs) and the end-to-end tests. Everything else is a unit test.
 */
const INTEGRATION = [
  "packages/db/src/**/!(trial-dto|batcher).test.ts",
  "packages/queue/src/**/*.test.ts",
  "services/api/src/**/!(env).test.ts",
  "services/scheduler/src/**/!(env).test.ts",
  "services/worker/src/**/!(env|progress-buffer|thread-pool-trainer).test.ts",
  "services/dashboard/test/serve.test.ts",
  "tests/**/*.test.ts",
  "experiments/src/api-claims.test.ts",
];

/**
 * Unit tests see Postgres and Redis URLs that cannot resolve (RFC 2606 `.invalid`), so a test put
 * in the wrong project fails loudly instead of quietly using a local server.
 */
const NOWHERE = { DATABASE_URL: "postgresql://unit-tests-have-no-database.invalid:1/none", REDIS_URL: "redis://unit-tests-have-no-redis.invalid:1" };

/**
 * The core's tests whose results depend on the kernel path (kernels, layers incl. the PyTorch parity
 * fixtures, losses, optimisers, models). `unit` runs them on the default path, FMA (kernel-path.test.ts
 * fails if the runtime picks anything else); `unit-simd128` runs them again on the SIMD128 fallback,
 * forced by kernels/test-setup.ts. CI runs both projects (`pnpm test:unit`).
 */
const KERNEL_PATH_TESTS = ["packages/core/src/{kernels,layers,losses,optimizers,model}/**/*.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ALL, exclude: [...INTEGRATION, "**/node_modules/**"], env: NOWHERE },
      },
      {
        extends: true,
        test: {
          name: "unit-simd128",
          include: KERNEL_PATH_TESTS,
          exclude: ["**/wasm-binary.test.ts", "**/node_modules/**"],
          env: { ...NOWHERE, HPS_TEST_KERNEL_PATH: "simd128" },
          setupFiles: ["packages/core/src/kernels/test-setup.ts"],
        },
      },
      {
        extends: true,
        test: { name: "integration", include: INTEGRATION, globalSetup: ["scripts/test-services.ts"] },
      },
    ],
  },
});
