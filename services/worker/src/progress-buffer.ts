/**
 * Batches a run's epoch metrics into few database writes: flushes when `maxEpochs` points are
 * pending or `intervalMs` after the first pending one, one flush at a time (points arriving
 * during a flush wait for the next). A failed flush keeps its points for the next try; the
 * final write (finishTrial) stores the whole curve anyway, so a lost flush only delays the
 * live view.
 */
import type { EpochMetrics } from "@hps/contracts";

export interface ProgressBufferOptions {
  /** Writes a batch; resolves false when the run lost its trial (the buffer then stops). */
  flush(points: EpochMetrics[]): Promise<boolean>;
  /** Called once when a flush reports the run lost its trial. */
  onLost(): void;
  onError(err: unknown): void;
  /** Default 500. */
  intervalMs?: number;
  /** Default 10. */
  maxEpochs?: number;
}

export class ProgressBuffer {
  private pending: EpochMetrics[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly maxEpochs: number;

  constructor(private readonly opts: ProgressBufferOptions) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.maxEpochs = opts.maxEpochs ?? 10;
  }

  push(m: EpochMetrics): void {
    if (this.stopped) return;
    this.pending.push(m);
    if (this.pending.length >= this.maxEpochs) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.intervalMs);
  }

  /** Stops; waits for a flush in progress; drops what is pending (finishTrial writes the full curve). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing || this.stopped || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.opts
      .flush(batch)
      .then((owned) => {
        if (!owned) {
          this.stopped = true;
          this.opts.onLost();
        }
      })
      .catch((err: unknown) => {
        this.pending = batch.concat(this.pending);
        this.opts.onError(err);
      })
      .finally(() => {
        this.flushing = null;
        if (this.pending.length && !this.stopped) this.timer ??= setTimeout(() => this.kick(), this.intervalMs);
      });
  }
}
