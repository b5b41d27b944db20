/**
 * `@hps/core/checks`: what a spec validator (the API's 422s) needs from the core, and nothing that
 * trains. Everything reachable from this file is pure arithmetic on configs and shapes: it must not
 * import kernels/ (evaluating kernels/arena.ts allocates the thread's WebAssembly memory and
 * instantiates the kernels), layers, losses or the mnist data — checks.test.ts proves it in a
 * fresh process. estimateTrialMemory (the pure memory estimate) sits here beside countParams.
 */
export { checkArchitecture, countParams, MAX_PARAMS, type ArchitectureIssue } from "./model/check-architecture.ts";
export { estimateTrialMemory, type MemoryEstimate, type MemoryPart } from "./model/estimate-memory.ts";
export { checkDataset, datasetShape, InvalidTrialConfigError, type ConfigIssue, type DatasetMeta } from "./data/check.ts";
