import { applyL2 } from "../optimizers/l2.ts";
import type { Lbfgs } from "../optimizers/lbfgs.ts";
import { evaluate } from "./evaluate.ts";
import type { LoopContext } from "./loop-context.ts";
import type { LoopOutcome } from "./train.ts";

/**
 * Full-batch training with L-BFGS: the closure is the whole training set in training mode
 * (data loss + ½·l2·ΣW², gradients overwritten); one L-BFGS iteration (strong-Wolfe line search,
 * several closure calls) per epoch. Stop rules apply to the full-batch data loss at the start of
 * each iteration and to the train loss after it (not to line-search probes, which may overshoot
 * legitimately before the search backs off). Augmentation is not used (the objective must be fixed).
 */
export function trainFullBatch(ctx: LoopContext, lbfgs: Lbfgs): LoopOutcome {
  const { config, setup, stops, polyak, reporter, shouldStop } = ctx;
  const { model, loss, data, dim } = setup;
  const { epochs, l2 } = config.training;
  const n = data.trainY.length;
  const params = model.params();
  let dataLoss = NaN;
  const closure = (): number => {
    const scores = model.forward(data.trainX, n, true);
    dataLoss = loss.forward(scores, data.trainY, n, data.classes);
    model.backward(loss.backward());
    return dataLoss + applyL2(params, l2);
  };
  let lastLoss = NaN;
  for (let e = 0; e < epochs; e++) {
    if (shouldStop?.()) return { stopReason: "cancelled", lastLoss };
    let startLoss = NaN;
    const first = (): number => {
      const f = closure();
      startLoss = dataLoss;
      return f;
    };
    let calls = 0;
    lbfgs.step(() => (calls++ === 0 ? first() : closure()), params);
    lastLoss = startLoss;
    const stopStart = stops.check(startLoss);
    if (stopStart) return { stopReason: stopStart, lastLoss };
    polyak?.update();
    const tr = evaluate(model, loss, data.trainX, data.trainY, dim, data.classes);
    lastLoss = tr.loss;
    const stopEnd = stops.check(tr.loss);
    if (stopEnd) return { stopReason: stopEnd, lastLoss };
    reporter.endEpoch(e + 1, tr.loss, tr.accuracy);
  }
  return { stopReason: null, lastLoss };
}
