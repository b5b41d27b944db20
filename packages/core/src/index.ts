export type { Layer, Loss, Optimizer, Param } from "./layer.ts";
export { alloc, sgemm, sgemmRef } from "./kernels/index.ts";
export { Rng } from "./rng.ts";
