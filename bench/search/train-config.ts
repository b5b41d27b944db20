/**
 * Trains one config of a search with the core, epoch by epoch, asking `onEpoch` whether to go on
 * (a pruner's question). What a worker does, minus Postgres and the thread.
 */
import { baseConfigOf, trialConfigFor, type Assignment, type SearchSpec } from "@hps/contracts";
import { DatasetCache, train } from "@hps/core";

const cache = new DatasetCache();

export interface Trained {
  status: "completed" | "stopped";
  stopReason: string | null;
  /** valAccuracy per epoch (null when not finite). */
  curve: (number | null)[];
  valAccuracy: number | null;
}

export function trainConfig(spec: SearchSpec, params: Assignment, epochs: number, onEpoch: (epoch: number, value: number | null) => boolean): Trained {
  const base = baseConfigOf(spec);
  const cfg = trialConfigFor({ ...base, training: { ...base.training, epochs } }, params);
  const curve: (number | null)[] = [];
  let pruned = false;
  const r = train(cfg, {
    dataset: cache,
    onEpoch: (m) => {
      curve.push(m.valAccuracy);
      if (!onEpoch(m.epoch, m.valAccuracy)) pruned = true;
    },
    shouldStop: () => pruned,
  });
  if (pruned) return { status: "stopped", stopReason: "pruned", curve, valAccuracy: curve.at(-1) ?? null };
  return { status: r.status, stopReason: r.stopReason, curve, valAccuracy: r.metrics.valAccuracy };
}
