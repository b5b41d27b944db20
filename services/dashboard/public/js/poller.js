// @ts-check
/**
 * Runs a view's refresh (`tick`) every `intervalMs` until the tick says it is done (the thing
 * watched is final) or the view stops it. Pauses while the tab is hidden and refreshes at once
 * when it shows again. A failing tick is retried with exponential back-off.
 */

/**
 * @typedef {"live" | "paused" | "done" | "error" | "stopped"} PollState
 * @typedef {{hidden: boolean, addEventListener(type: string, fn: () => void): void, removeEventListener(type: string, fn: () => void): void}} VisibilitySource
 * @typedef {{intervalMs?: number, maxBackoffMs?: number, doc?: VisibilitySource,
 *   onError?: (err: unknown) => void, onState?: (state: PollState) => void}} PollerOptions
 */

export class Poller {
  /**
   * @param {() => Promise<boolean>} tick resolves true to keep polling, false when done
   * @param {PollerOptions} [opts] intervalMs default 1500; maxBackoffMs default 15000; doc default `document`
   */
  constructor(tick, { intervalMs = 1500, maxBackoffMs = 15_000, doc = globalThis.document, onError = () => {}, onState = () => {} } = {}) {
    this.tick = tick;
    this.intervalMs = intervalMs;
    this.maxBackoffMs = maxBackoffMs;
    this.doc = doc;
    this.onError = onError;
    this.onState = onState;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.running = false;
    this.finished = false;
    this.stopped = false;
    this.failures = 0;
    this.onVisibility = () => {
      if (this.doc.hidden) {
        clearTimeout(this.timer);
        if (!this.finished && !this.stopped) this.onState("paused");
      } else if (!this.finished) {
        this.refresh();
      }
    };
  }

  start() {
    this.doc.addEventListener("visibilitychange", this.onVisibility);
    void this.run();
  }

  /** Refresh now (e.g. after an action); restarts a poller that had finished. */
  refresh() {
    if (this.stopped || this.running) return;
    this.finished = false;
    clearTimeout(this.timer);
    void this.run();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.doc.removeEventListener("visibilitychange", this.onVisibility);
    this.onState("stopped");
  }

  async run() {
    if (this.stopped || this.finished) return;
    if (this.doc.hidden) {
      this.onState("paused");
      return;
    }
    this.running = true;
    let keepGoing = true;
    try {
      keepGoing = await this.tick();
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.onError(err);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (!keepGoing) {
      this.finished = true;
      this.onState("done");
      return;
    }
    this.onState(this.failures > 0 ? "error" : "live");
    const delay = this.failures > 0 ? Math.min(this.maxBackoffMs, this.intervalMs * 2 ** this.failures) : this.intervalMs;
    this.timer = setTimeout(() => void this.run(), delay);
  }
}
