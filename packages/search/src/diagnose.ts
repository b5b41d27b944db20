import type { EpochMetrics, Loss, StopReason, TrialMetrics, TrialStatus } from "@hps/contracts";
import { formatNumber as f } from "./narrower.ts";

/**
 * Babysitting diagnostics from CS231n lecture 6/7 ("Babysitting the learning
 * process"), as plain sentences for a trial's `diagnostics`. Pure: from the
 * curve, the final metrics and a little config.
 *
 * Thresholds (all exported so callers and docs quote the same numbers):
 */
/** Initial loss is "far" from its chance value when off by more than this fraction of it (softmax: ln C; SVM: C − 1). */
export const INITIAL_LOSS_TOLERANCE = 0.5;
/** Loss "exploded" when it ends above this multiple of the initial loss (the training loop's own default stop factor). */
export const LOSS_EXPLOSION_FACTOR = 3;
/** Loss "barely moved" when it fell by less than this fraction of the initial loss over the whole run. */
export const LOSS_STALL_FRACTION = 0.05;
/**
 * "Bad initialisation" (the lecture's flat-then-drops curve): the train loss stays above
 * (1 − LOSS_STALL_FRACTION) × the initial loss for at least this share of the epochs (and at least
 * PLATEAU_MIN_EPOCHS), and only then falls by more than LOSS_STALL_FRACTION.
 */
export const PLATEAU_FRACTION = 0.2;
export const PLATEAU_MIN_EPOCHS = 3;
/** Overfitting when train accuracy exceeds val accuracy by more than this (accuracies in [0, 1]). */
export const OVERFIT_GAP = 0.1;
/** "No gap" when train and val accuracy differ by at most this… */
export const NO_GAP = 0.02;
/** …and train accuracy is below this (a model near-perfect on both needs no more capacity). */
export const NO_GAP_MAX_TRAIN_ACCURACY = 0.99;

/** Advice endings of trial diagnostics, shared with `diagnoseSearch` (which counts them). */
export const ADVICE = {
  lrTooHigh: "learning rate likely too high",
  lrTooLow: "learning rate likely too low",
  badInit: "initialisation likely bad (weights too small or too large)",
  overfitting: "increase regularisation",
  biggerModel: "consider a bigger model",
} as const;

export interface DiagnoseInput {
  /** Per-epoch metrics, in epoch order. */
  readonly curve: readonly EpochMetrics[];
  /** Final metrics (initialLoss = loss of the first mini-batch before any update). */
  readonly metrics: TrialMetrics | null;
  /** Number of classes of the dataset. */
  readonly classes: number;
  /** Data loss of the trial's config. Default softmax. */
  readonly loss?: Loss;
  readonly status?: TrialStatus;
  readonly stopReason?: StopReason | null;
}

/** Expected loss at chance with small weights and no regularisation: ln C for softmax, C − 1 for the multiclass SVM (margin 1, all scores ≈ 0). */
export function chanceLoss(classes: number, loss: Loss = "softmax"): number {
  return loss === "svm" ? classes - 1 : Math.log(classes);
}

export function diagnoseTrial(input: DiagnoseInput): string[] {
  const out: string[] = [];
  const loss = input.loss ?? "softmax";
  const m = input.metrics;
  const initial = finite(m?.initialLoss) ?? null;
  const trainLosses = input.curve.map((p) => p.trainLoss);
  const last = input.curve[input.curve.length - 1];
  const final = m ? m.finalLoss : (last?.trainLoss ?? null);

  // 1. Initial loss vs chance.
  if (initial !== null && input.classes >= 2) {
    const expected = chanceLoss(input.classes, loss);
    if (Math.abs(initial - expected) > INITIAL_LOSS_TOLERANCE * expected) {
      const name = loss === "svm" ? `C − 1 = ${input.classes - 1}` : `ln(${input.classes}) = ${f(expected)}`;
      out.push(
        `initial loss ${f(initial)} is far from ${name}, the value expected at chance for ${loss} with small weights and no regularisation: check the loss, the labels and the initialisation scale`,
      );
    }
  }

  // 2. Exploded or non-finite loss.
  const nonFinite =
    input.stopReason === "non_finite" ||
    trainLosses.some((v) => v !== null && !Number.isFinite(v)) ||
    input.curve.some((p) => p.valLoss !== null && !Number.isFinite(p.valLoss)) ||
    (final !== null && !Number.isFinite(final));
  const exploded =
    input.stopReason === "loss_exploded" || (initial !== null && final !== null && Number.isFinite(final) && final > LOSS_EXPLOSION_FACTOR * initial);
  if (nonFinite) out.push(`loss became NaN or infinite: ${ADVICE.lrTooHigh}`);
  else if (exploded)
    out.push(
      `loss exploded${initial !== null && final !== null && Number.isFinite(final) ? ` (${f(initial)} → ${f(final)})` : ""}: ${ADVICE.lrTooHigh}`,
    );

  // 3. Loss barely moving.
  const finalFinite = finite(final);
  if (!nonFinite && !exploded && initial !== null && initial > 0 && finalFinite !== null && (m?.epochs ?? input.curve.length) >= 1) {
    const drop = (initial - finalFinite) / initial;
    if (drop < LOSS_STALL_FRACTION)
      out.push(`loss barely moved (${f(initial)} → ${f(finalFinite)}, ${f(-100 * drop)}%): ${ADVICE.lrTooLow}`);
  }

  // 3b. Flat at the start, then a drop: bad initialisation (a run that never drops is 3's "barely moved").
  if (!nonFinite && !exploded && initial !== null && initial > 0 && finalFinite !== null && (initial - finalFinite) / initial >= LOSS_STALL_FRACTION) {
    const flat = trainLosses.findIndex((v) => v === null || !(v >= (1 - LOSS_STALL_FRACTION) * initial));
    const epochs = trainLosses.length;
    if (flat >= PLATEAU_MIN_EPOCHS && flat >= PLATEAU_FRACTION * epochs)
      out.push(`loss stayed flat near its initial value ${f(initial)} for the first ${flat} of ${epochs} epochs, then fell to ${f(finalFinite)}: ${ADVICE.badInit}`);
  }

  // 4/5. Train/val accuracy gap, only for runs that finished training normally.
  if (!nonFinite && !exploded && input.status !== "stopped" && input.status !== "failed") {
    const train = finite(m?.trainAccuracy) ?? finite(last?.trainAccuracy);
    const val = finite(m?.valAccuracy) ?? finite(last?.valAccuracy);
    if (train !== null && val !== null) {
      const gap = train - val;
      const pts = `train accuracy ${f(train)} vs val ${f(val)}`;
      if (gap > OVERFIT_GAP) out.push(`overfitting: ${pts} (gap ${f(100 * gap)} points): ${ADVICE.overfitting}`);
      else if (Math.abs(gap) <= NO_GAP && train < NO_GAP_MAX_TRAIN_ACCURACY)
        out.push(`no gap between train and val accuracy (${pts}): the model may be underfitting, ${ADVICE.biggerModel}`);
    }
  }
  return out;
}

function finite(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
