export * from "./client.ts";
export * from "./migrate.ts";
export * from "./embedded-postgres.ts";
export * from "./test-database.ts";
export * from "./errors.ts";
export * from "./wakeups.ts";
export * from "./trial-runs-repo.ts";
