/**
 * The cancel poll: every `intervalMs` (default 1000), ONE query covers every run in this
 * process (runStates): a run whose search was cancelled is told "cancelled"; a run that no
 * longer owns its trial (re-claimed after a stall, or finished/cancelled by someone else)
 * is told "superseded". Each run is told at most once.
 */
import type { Db } from "@hps/db";

export type StopCause = "cancelled" | "superseded";

export interface WatchedRun {
  trialId: string;
  attempt: number;
  stop(cause: StopCause): void;
}

export class RunWatcher {
  private readonly runs = new Set<WatchedRun>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly db: Pick<Db, "runs">,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = 1000,
  ) {}

  add(run: WatchedRun): void {
    this.runs.add(run);
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
  }

  remove(run: WatchedRun): void {
    this.runs.delete(run);
    if (this.runs.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  close(): void {
    this.runs.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.runs.size === 0) return; // a slow database: skip a beat rather than pile up
    this.polling = true;
    try {
      const runs = [...this.runs];
      const states = await this.db.runs.states(runs);
      for (const run of runs) {
        const s = states.get(run.trialId);
        if (!s || !this.runs.has(run)) continue;
        if (s.searchCancelled) run.stop("cancelled");
        else if (!s.owned) run.stop("superseded");
        else continue;
        this.runs.delete(run);
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.polling = false;
    }
  }
}
