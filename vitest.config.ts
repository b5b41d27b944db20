import { defineConfig } from "vitest/config";

/**
 * Two projects. `integration`: every test that talks to Postgres or Redis (the globalSetup that
 * finds them runs for this project only). `unit`: everything else, runnable on a machine with
 * neither (`pnpm test:unit`). `npm test` runs both.
 */
const ALL = ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "bench/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts", "experiments/src/**/*.test.ts", "services/dashboard/test/**/*.test.ts"];

/**
 * The tests that use real Postgres/Redis: the storage, queue and service layers (minus their pure
 * tests, named in the extglobs) and the end-to-end tests. Everything else is a unit test.
 */
const INTEGRATION = [
  "packages/db/src/**/!(trial-dto).test.ts",
  "packages/queue/src/**/*.test.ts",
  "services/api/src/**/!(env).test.ts",
  "services/scheduler/src/**/!(env).test.ts",
  "services/worker/src/**/!(env|progress-buffer|thread-pool-trainer).test.ts",
  "services/dashboard/test/serve.test.ts",
  "tests/**/*.test.ts",
];

/**
 * Unit tests see Postgres and Redis URLs that cannot resolve (RFC 2606 `.invalid`), so a test put
 * in the wrong project fails loudly instead of quietly using a local server.
 */
const NOWHERE = { DATABASE_URL: "postgresql://unit-tests-have-no-database.invalid:1/none", REDIS_URL: "redis://unit-tests-have-no-redis.invalid:1" };

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
        test: { name: "integration", include: INTEGRATION, globalSetup: ["scripts/test-services.ts"] },
      },
    ],
  },
});
