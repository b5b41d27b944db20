export * from "./trial-queue.ts";
export * from "./errors.ts";
export * from "./options.ts";
export * from "./bull-dispatcher.ts";
export * from "./bull-consumer.ts";
export * from "./in-process-queue.ts";
export * from "./redis-keys.ts";
