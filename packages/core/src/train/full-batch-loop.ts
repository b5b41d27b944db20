import type { Optimizer } from "../layer.ts";
import { applyL2 } from "../optimizers/l2.ts";
import type { Schedule } from "../schedules/schedules.ts";
import { evaluate } from "./evaluate.ts";
import type { LoopContext, LoopOutcome } from "./loop-context.ts";
import type { StopReason } from "./stop-rules.ts";

/** Thrown out of the closure to abandon an L-BFGS iteration when a stop rule fires. */
class Stop {
  constructor(readonly reason: StopReason, readonly loss: number) {}
}

/**
 * Full-batch training with an optimiser that needs the closure (L-BFGS): the closure is the whole
 * training set in training mode (data loss + ½·l2·ΣW², gradients overwritten); one step per epoch
 * (for L-BFGS one iteration: a strong-Wolfe line search of several closure calls). The stop rules
 * see the full-batch data loss at the start of every iteration — before its line search runs — and
 * not the line-search probes, which may overshoot legitimately before the search backs off.
 * Augmentation is not used (the objective must stay fixed during a line search). Per-epoch train
 * loss/accuracy are evaluated on the whole train set (evaluation mode) after the iteration. Each
 * epoch e (0-based) steps with lr_e = learningRate·factor(e) from the schedule, as the first-order
 * optimisers do (for L-BFGS the initial step length).
 */
export function trainFullBatch(ctx: LoopContext, optimizer: Optimizer, schedule: Schedule): LoopOutcome {
  const { config, setup, stops, polyak, reporter, shouldStop } = ctx;
  const { model, loss, data, dim } = setup;
  const { epochs, l2 } = config.training;
  const n = data.trainY.length;
  const params = model.params();
  let lastLoss = NaN;
  let firstCall = true;
  const closure = (): number => {
    const scores = model.forward(data.trainX, n, true);
    const dataLoss = loss.forward(scores, data.trainY, n, data.classes);
    if (firstCall) {
      firstCall = false;
      lastLoss = dataLoss;
      const stop = stops.check(dataLoss);
      if (stop) throw new Stop(stop, dataLoss);
    }
    model.backward(loss.backward());
    return dataLoss + applyL2(params, l2);
  };
  for (let e = 0; e < epochs; e++) {
    if (shouldStop?.()) return { stopReason: "cancelled", lastLoss };
    firstCall = true;
    try {
      optimizer.step(params, schedule.lr(e), closure);
    } catch (err) {
      if (err instanceof Stop) return { stopReason: err.reason, lastLoss: err.loss };
      throw err;
    }
    polyak?.update();
    const tr = evaluate(model, loss, data.trainX, data.trainY, dim, data.classes);
    lastLoss = tr.loss;
    if (!Number.isFinite(tr.loss)) return { stopReason: "non_finite", lastLoss };
    reporter.endEpoch(e + 1, tr.loss, tr.accuracy);
  }
  return { stopReason: null, lastLoss };
}
