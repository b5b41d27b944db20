export { Batcher } from "./batcher.ts";
export { EVAL_CHUNK, countCorrect, evaluate, finiteOrNull } from "./evaluate.ts";
export { PolyakAverage } from "./polyak.ts";
export { type StopReason, StopRules } from "./stop-rules.ts";
export { type TrainHooks, type TrainResult, train } from "./train.ts";
