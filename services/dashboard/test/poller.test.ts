import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Poller, type PollState } from "../public/js/poller.js";

/** A stand-in for `document`'s visibility. */
class FakeDoc extends EventTarget {
  hidden = false;
  setHidden(hidden: boolean) {
    this.hidden = hidden;
    this.dispatchEvent(new Event("visibilitychange"));
  }
}

/** Lets the poller's awaited tick settle (no timers involved). */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("Poller", () => {
  let doc: FakeDoc;
  let states: PollState[];
  beforeEach(() => {
    vi.useFakeTimers();
    doc = new FakeDoc();
    states = [];
  });
  afterEach(() => vi.useRealTimers());

  const make = (tick: () => Promise<boolean>, onError: (err: unknown) => void = () => {}) =>
    new Poller(tick, { intervalMs: 1000, maxBackoffMs: 5000, doc, onError, onState: (s) => states.push(s) });

  it("ticks at once, then every interval, until the tick reports done", async () => {
    let n = 0;
    const p = make(async () => ++n < 3);
    p.start();
    await settle();
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(n).toBe(3);
    expect(states).toEqual(["live", "live", "done"]);
  });

  it("pauses while the document is hidden and refreshes as soon as it shows", async () => {
    let n = 0;
    const p = make(async () => (++n, true));
    p.start();
    await settle();
    doc.setHidden(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(n).toBe(1);
    expect(states.at(-1)).toBe("paused");
    doc.setHidden(false);
    await settle();
    expect(n).toBe(2);
    expect(states.at(-1)).toBe("live");
    p.stop();
  });

  it("does not start while hidden", async () => {
    doc.hidden = true;
    let n = 0;
    make(async () => (++n, true)).start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(n).toBe(0);
    expect(states).toEqual(["paused"]);
  });

  it("stays done when the tab shows again", async () => {
    let n = 0;
    make(async () => (++n, false)).start();
    await settle();
    doc.setHidden(true);
    doc.setHidden(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(n).toBe(1);
  });

  it("backs off exponentially on errors (capped) and recovers", async () => {
    const times: number[] = [];
    const errors: unknown[] = [];
    let fail = 4;
    const p = make(async () => {
      times.push(Date.now());
      if (fail-- > 0) throw new Error("down");
      return true;
    }, (e: unknown) => void errors.push(e));
    const t0 = Date.now();
    p.start();
    await vi.advanceTimersByTimeAsync(2000 + 4000 + 5000 + 5000 + 1000);
    expect(times.map((t) => t - t0)).toEqual([0, 2000, 6000, 11_000, 16_000, 17_000]);
    expect(errors).toHaveLength(4);
    expect(states.slice(0, 5)).toEqual(["error", "error", "error", "error", "live"]);
    p.stop();
  });

  it("stop() cancels the pending tick and ignores a tick in flight", async () => {
    let n = 0;
    let release: (v: boolean) => void = () => {};
    const p = make(() => (++n, new Promise<boolean>((r) => (release = r))));
    p.start();
    p.stop();
    release(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(n).toBe(1);
    expect(states).toEqual(["stopped"]);
  });

  it("refresh() ticks now and restarts a finished poller", async () => {
    let n = 0;
    let keep = false;
    const p = make(async () => (++n, keep));
    p.start();
    await settle();
    expect(states.at(-1)).toBe("done");
    keep = true;
    p.refresh();
    await settle();
    expect(n).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(3);
    p.stop();
  });
});
