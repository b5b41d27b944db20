import type { Optimizer } from "../layer.ts";
import { applyL2 } from "../optimizers/l2.ts";
import type { Schedule } from "../schedules/schedules.ts";
import { Batcher } from "./batcher.ts";
import { countCorrect } from "./evaluate.ts";
import type { LoopContext, LoopOutcome } from "./loop-context.ts";

/** Mini-batch training with a first-order optimiser for config.training.epochs epochs (see `train`). */
export function trainMiniBatches(ctx: LoopContext, optimizer: Optimizer, schedule: Schedule): LoopOutcome {
  const { config, setup, stops, polyak, reporter, shouldStop } = ctx;
  const { model, loss, data, dim, augmenter } = setup;
  const { epochs, batchSize, l2 } = config.training;
  const classes = data.classes;
  const params = model.params();
  const batcher = new Batcher(data.trainX, data.trainY, dim, batchSize, setup.orderRng, config.model.batchNorm);
  let lastLoss = NaN;
  for (let e = 0; e < epochs; e++) {
    const lr = schedule.lr(e);
    batcher.shuffle();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let size = batcher.next(); size > 0; size = batcher.next()) {
      if (shouldStop?.()) return { stopReason: "cancelled", lastLoss };
      const y = batcher.y;
      const x = augmenter ? augmenter.apply(batcher.x, size) : batcher.x;
      const scores = model.forward(x, size, true);
      const dataLoss = loss.forward(scores, y, size, classes);
      lastLoss = dataLoss;
      const stop = stops.check(dataLoss);
      if (stop) return { stopReason: stop, lastLoss };
      lossSum += dataLoss * size;
      correct += countCorrect(scores, y, size, classes);
      seen += size;
      model.backward(loss.backward(), false);
      applyL2(params, l2);
      optimizer.step(params, lr);
      polyak?.update();
    }
    reporter.endEpoch(e + 1, lossSum / seen, correct / seen);
  }
  return { stopReason: null, lastLoss };
}
