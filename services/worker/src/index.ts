export { startWorker, type RunningWorker, type StartWorkerOptions } from "./start-worker.ts";
export type { Trainer, TrainerRunHooks, TrainResult } from "./trainer.ts";
export { ThreadPoolTrainer, TrainingThreadError, type ThreadPoolTrainerOptions } from "./thread-pool-trainer.ts";
export type { Logger } from "./logger.ts";
export { readWorkerEnv, workerFields, WorkerEnvVars, type WorkerEnv } from "./env.ts";
