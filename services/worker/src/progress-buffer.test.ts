import { afterEach, describe, expect, it, vi } from "vitest";
import type { EpochMetrics } from "@hps/contracts";
import { ProgressBuffer } from "./progress-buffer.ts";

const point = (epoch: number): EpochMetrics => ({ epoch, trainLoss: 1 / epoch, valLoss: 1 / epoch, trainAccuracy: 0.5, valAccuracy: 0.5 });

afterEach(() => {
  vi.useRealTimers();
});

function buffer(opts: { owned?: boolean } = {}) {
  const batches: number[][] = [];
  const onLost = vi.fn();
  const b = new ProgressBuffer({
    flush: async (points) => {
      batches.push(points.map((p) => p.epoch));
      return opts.owned ?? true;
    },
    onLost,
    onError: () => {},
    intervalMs: 500,
    maxEpochs: 3,
  });
  return { b, batches, onLost };
}

describe("ProgressBuffer", () => {
  it("a run that ends before its first flush writes nothing (finishTrial stores the whole curve)", async () => {
    vi.useFakeTimers();
    const { b, batches } = buffer();
    b.push(point(1));
    await b.stop();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(batches).toEqual([]);
  });

  it("flushes after the interval, or at once when maxEpochs points are pending", async () => {
    vi.useFakeTimers();
    const { b, batches } = buffer();
    b.push(point(1));
    await vi.advanceTimersByTimeAsync(500);
    expect(batches).toEqual([[1]]);
    b.push(point(2));
    b.push(point(3));
    b.push(point(4));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await b.stop();
  });

  it("stops and reports once when a flush says the run lost its trial", async () => {
    vi.useFakeTimers();
    const { b, batches, onLost } = buffer({ owned: false });
    for (const e of [1, 2, 3]) b.push(point(e));
    await vi.advanceTimersByTimeAsync(0);
    b.push(point(4));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(onLost).toHaveBeenCalledTimes(1);
  });
});
