import type { EpochMetrics, TrialConfig, TrialMetrics } from "@hps/contracts";
import type { Dataset } from "../data/dataset.ts";
import { DatasetCache, defaultDatasetCache } from "../data/load.ts";
import { fitPreprocess, type PreprocessStats } from "../data/preprocess.ts";
import type { DataSource } from "../data/uploaded.ts";
import { arenaMark, arenaRelease } from "../kernels/index.ts";
import { createSchedule } from "../schedules/schedules.ts";
import { evaluate, finiteOrNull } from "./evaluate.ts";
import { trainFullBatch } from "./full-batch-loop.ts";
import { trainMiniBatches } from "./mini-batch-loop.ts";
import { PolyakAverage } from "./polyak.ts";
import { fineTuneData } from "./fine-tune.ts";
import { setupTrial } from "./setup.ts";
import type { EpochReporter } from "./loop-context.ts";
import { type StopReason, StopRules } from "./stop-rules.ts";
import { createOptimizer } from "../optimizers/registry.ts";

export interface TrainHooks {
  /** Called after every completed epoch with its metrics (JSON-safe: finite numbers or null). */
  onEpoch?(m: EpochMetrics): void;
  /** Polled between mini-batches (and L-BFGS iterations); true → stop with stopReason "cancelled". */
  shouldStop?(): boolean;
  /**
   * A serialised model (Sequential.serialize) to fine-tune from (model.initFrom): loaded over the fresh
   * init (the output layer may differ in class count: it then stays freshly initialised), then
   * model.initFrom.freezeLayers leading weight layers are frozen. See fine-tune.ts. A model file (the
   * worker's artifact) also brings its preprocessing: the trial's data is preprocessed with those
   * statistics, not refitted (unless hooks.dataset is a preloaded Dataset, used as is).
   */
  initialParams?: Uint8Array;
  /**
   * Data: a preloaded, already preprocessed Dataset (used as is), or a DatasetCache to draw it from.
   * By default the per-thread `defaultDatasetCache` keyed by (dataset config, seed) is used.
   */
  dataset?: Dataset | DatasetCache;
  /** The rows of an uploaded dataset (config.dataset.name "uploaded"), split and preprocessed here (cached by source.key). */
  source?: DataSource;
}

export interface TrainResult {
  status: "completed" | "stopped";
  stopReason: StopReason | null;
  metrics: TrialMetrics;
  /** One point per completed epoch. */
  curve: EpochMetrics[];
  /** Sequential.serialize() of the final model (Polyak-averaged if enabled). */
  params: Uint8Array;
  /**
   * What the model needs to take raw rows (model/model-file.ts): the train split's preprocessing
   * and the class count. Always set by `train`; optional for stand-in trainers (benchmarks, tests).
   */
  preprocessing?: PreprocessStats;
  classes?: number;
}

/**
 * Trains one trial (CS231n lecture 7) and returns its result; deterministic in (config, hooks):
 * the same seed and config give a bit-identical result on one machine.
 *  - first-order optimisers: shuffled mini-batches per epoch, lr from the schedule per epoch,
 *    L2 as ½·l2·ΣW² (gradient l2·W) on weights; per-epoch train loss/accuracy are the means over
 *    the epoch's mini-batches as trained (training mode, weights moving during the epoch);
 *  - lbfgs: full batch, one L-BFGS iteration (with strong-Wolfe line search) per epoch, its initial
 *    step length learningRate from the schedule per epoch (batchSize and augment do not apply); train
 *    loss/accuracy are evaluated on the whole train set after the iteration;
 *  - val loss/accuracy per epoch in evaluation mode, with the Polyak average when polyakDecay > 0;
 *  - stop rules on every mini-batch data loss (see StopRules), and hooks.shouldStop between batches.
 * metrics: initialLoss = data loss of the first mini-batch before any update; finalLoss = the last
 * completed epoch's train loss, or when stopped the loss that stopped it (null if not finite);
 * accuracies and valLoss are the last completed epoch's (null before the first).
 */
export function train(config: TrialConfig, hooks: TrainHooks = {}): TrainResult {
  // Every buffer of this trial (model, optimiser state, batches) comes from the thread's arena and is
  // released when the trial ends; the result holds only plain copies. Cached datasets are plain arrays.
  const mark = arenaMark();
  try {
    return trainInArena(config, hooks);
  } finally {
    arenaRelease(mark);
  }
}

function trainInArena(config: TrialConfig, hooks: TrainHooks): TrainResult {
  const cache = hooks.dataset instanceof DatasetCache ? hooks.dataset : hooks.dataset ? null : defaultDatasetCache;
  // A stored model file brings its preprocessing statistics (fine-tune.ts); a preloaded Dataset is used as is.
  const stored = cache && hooks.initialParams ? fineTuneData(config, hooks.initialParams, hooks.source) : null;
  const load = stored ?? (() => (cache ? cache.get(config.dataset, config.seed, hooks.source) : (hooks.dataset as Dataset)));
  const setup = setupTrial(config, load, { initialParams: hooks.initialParams, source: hooks.source });
  const { model, loss, data, dim } = setup;
  const { training } = config;
  const curve: EpochMetrics[] = [];
  const stops = new StopRules(config.earlyStopping.lossFactor, training.maxSeconds);
  const polyak = training.polyakDecay > 0 ? new PolyakAverage(model, training.polyakDecay) : null;
  const reporter: EpochReporter = {
    endEpoch(epoch, trainLoss, trainAccuracy) {
      const evalVal = () => evaluate(model, loss, data.valX, data.valY, dim, data.classes);
      const val = polyak ? polyak.withAveraged(evalVal) : evalVal();
      const m: EpochMetrics = {
        epoch,
        trainLoss: finiteOrNull(trainLoss),
        valLoss: finiteOrNull(val.loss),
        trainAccuracy: finiteOrNull(trainAccuracy),
        valAccuracy: finiteOrNull(val.accuracy),
      };
      curve.push(m);
      hooks.onEpoch?.(m);
    },
  };
  const optimizer = createOptimizer(training);
  const ctx = { config, setup, stops, polyak, reporter, shouldStop: hooks.shouldStop };
  const schedule = createSchedule(training.lrSchedule, training.learningRate, training.epochs);
  // An optimiser that re-evaluates the objective during a step (L-BFGS) trains on the full batch.
  const outcome = optimizer.needsClosure
    ? trainFullBatch(ctx, optimizer, schedule)
    : trainMiniBatches(ctx, optimizer, schedule);

  if (polyak && polyak.count > 0) polyak.commit();
  const last = curve.at(-1);
  const metrics: TrialMetrics = {
    initialLoss: finiteOrNull(stops.initialLoss),
    finalLoss: outcome.stopReason ? finiteOrNull(outcome.lastLoss) : (last?.trainLoss ?? null),
    trainAccuracy: last?.trainAccuracy ?? null,
    valAccuracy: last?.valAccuracy ?? null,
    valLoss: last?.valLoss ?? null,
    epochs: curve.length,
  };
  return {
    status: outcome.stopReason ? "stopped" : "completed",
    stopReason: outcome.stopReason,
    metrics,
    curve,
    params: model.serialize(),
    preprocessing: data.preprocessing ?? fitPreprocess(data.trainX, data.inputShape, "none"),
    classes: data.classes,
  };
}
