export * from "./trial-config.ts";
export * from "./space.ts";
export * from "./search-spec.ts";
export * from "./states.ts";
export * from "./metrics.ts";
export * from "./jobs.ts";
export * from "./http.ts";
export * from "./dotted-path.ts";
