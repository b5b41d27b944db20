/**
 * The dispatch benchmark's Trainer: no training, an immediate result (one epoch, metrics a
 * deterministic function of the learning rate), so a trial costs only its trip through
 * Postgres, the scheduler, BullMQ and the worker.
 */
import type { Trainer, TrainerRunHooks, TrainResult } from "@hps/worker";

type TrialConfig = Parameters<Trainer["run"]>[0];

export class NoopTrainer implements Trainer {
  async run(config: TrialConfig, hooks: TrainerRunHooks): Promise<TrainResult> {
    const lr = config.training.learningRate;
    const acc = 1 / (1 + Math.abs(Math.log10(lr) + 1)); // peaks at lr = 0.1
    const point = { epoch: 1, trainLoss: 1 - acc, valLoss: 1 - acc, trainAccuracy: acc, valAccuracy: acc };
    hooks.onEpoch?.(point);
    return {
      status: "completed",
      stopReason: null,
      metrics: { initialLoss: 1.1, finalLoss: 1 - acc, trainAccuracy: acc, valAccuracy: acc, valLoss: 1 - acc, epochs: 1 },
      curve: [point],
      params: new Uint8Array(0),
    };
  }
  async close(): Promise<void> {}
}
