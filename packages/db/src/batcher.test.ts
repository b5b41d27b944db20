import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher.ts";

/** A run that records its batches and answers after `gate` resolves (so calls pile up meanwhile). */
function recorder(opts: { fail?: (items: number[]) => boolean } = {}) {
  const batches: number[][] = [];
  let open: () => void = () => {};
  let gate = new Promise<void>((r) => (open = r));
  return {
    batches,
    release: () => {
      open();
      gate = new Promise<void>((r) => (open = r));
    },
    run: async (items: number[]) => {
      batches.push([...items]);
      await gate;
      if (opts.fail?.(items)) throw new Error(`batch ${items.join(",")} failed`);
      return items.map((i) => i * 10);
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("Batcher", () => {
  it("sends calls of one turn as one batch, and calls made while it is in flight as the next", async () => {
    const rec = recorder();
    const b = new Batcher<number, number>({ run: rec.run, key: String, maxInFlight: 1 });
    const first = [1, 2, 3].map((i) => b.call(i));
    await tick();
    const later = [4, 5].map((i) => b.call(i));
    await tick();
    expect(rec.batches).toEqual([[1, 2, 3]]);
    rec.release();
    expect(await Promise.all(first)).toEqual([10, 20, 30]);
    await tick();
    expect(rec.batches).toEqual([[1, 2, 3], [4, 5]]);
    rec.release();
    expect(await Promise.all(later)).toEqual([40, 50]);
  });

  it("keeps equal keys out of one batch and caps the batch size", async () => {
    const rec = recorder();
    const b = new Batcher<number, number>({ run: rec.run, key: (i) => String(i % 10), maxBatch: 2, maxInFlight: 1 });
    const all = [1, 11, 2, 3].map((i) => b.call(i));
    await tick();
    expect(rec.batches).toEqual([[1, 2]]);
    rec.release();
    await tick();
    await tick();
    expect(rec.batches).toEqual([[1, 2], [11, 3]]);
    rec.release();
    expect(await Promise.all(all)).toEqual([10, 110, 20, 30]);
  });

  it("retries a failed batch item by item, so only the bad item rejects", async () => {
    const rec = recorder({ fail: (items) => items.includes(2) });
    const b = new Batcher<number, number>({ run: rec.run, key: String });
    const all = [1, 2, 3].map((i) => b.call(i).then((v) => ({ v }), (e: Error) => ({ e: e.message })));
    await tick();
    rec.release();
    await tick();
    rec.release();
    expect(await Promise.all(all)).toEqual([{ v: 10 }, { e: "batch 2 failed" }, { v: 30 }]);
    expect(rec.batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it("refuses bad options", () => {
    expect(() => new Batcher({ run: async () => [], key: String, maxBatch: 0 })).toThrow(/maxBatch/);
    expect(() => new Batcher({ run: async () => [], key: String, maxInFlight: 1.5 })).toThrow(/maxInFlight/);
  });
});
