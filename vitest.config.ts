import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "bench/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts", "services/dashboard/test/**/*.test.ts"],
    pool: "forks",
    globalSetup: ["scripts/test-services.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
