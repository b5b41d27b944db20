/** Why a trial stopped early (a subset of the trial stopReason values; "pruned" is decided outside the core). */
export type StopReason = "loss_exploded" | "non_finite" | "cancelled" | "timeout";

/**
 * The lecture's babysitting stop rules, checked on every mini-batch DATA loss (no L2 term, like
 * initialLoss, so a large l2 alone never trips them):
 *  - the first loss seen is the initial loss (before any update);
 *  - NaN or ±Inf → "non_finite";
 *  - loss > lossFactor × initial loss → "loss_exploded" (CS231n: "cost > 3 × original cost: break out early");
 *  - with `maxSeconds`, a batch that starts past that much time since the rules were made → "timeout"
 *    (training.maxSeconds: the trial keeps the curve of the epochs it finished).
 */
export class StopRules {
  initialLoss: number | null = null;
  private readonly deadline: number;

  constructor(
    readonly lossFactor: number,
    maxSeconds?: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.deadline = maxSeconds === undefined ? Infinity : now() + maxSeconds * 1000;
  }

  /** Records the loss; returns the reason to stop, or null to go on. */
  check(loss: number): StopReason | null {
    if (this.now() > this.deadline) return "timeout";
    if (!Number.isFinite(loss)) return "non_finite";
    if (this.initialLoss === null) {
      this.initialLoss = loss;
      return null;
    }
    // A zero initial loss (possible with the svm loss) gives no scale to compare with: rule off.
    return this.initialLoss > 0 && loss > this.lossFactor * this.initialLoss ? "loss_exploded" : null;
  }
}
