import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { Batcher } from "./batcher.ts";
import { StopRules } from "./stop-rules.ts";

const data = (n: number) => ({
  X: Float32Array.from({ length: n * 2 }, (_, i) => Math.floor(i / 2)),
  Y: Int32Array.from({ length: n }, (_, i) => i),
});

function epoch(b: Batcher): number[][] {
  b.shuffle();
  const out: number[][] = [];
  for (let s = b.next(); s > 0; s = b.next()) {
    expect(b.x.length).toBe(2 * s);
    for (let i = 0; i < s; i++) expect(b.x[2 * i]).toBe(b.y[i]); // rows stay paired with labels
    out.push(Array.from(b.y));
  }
  return out;
}

describe("Batcher", () => {
  it("covers every row once per epoch, with a smaller last batch, reshuffled each epoch", () => {
    const { X, Y } = data(10);
    const b = new Batcher(X, Y, 2, 4, new Rng(1));
    const e1 = epoch(b);
    expect(e1.map((x) => x.length)).toEqual([4, 4, 2]);
    expect(b.batchesPerEpoch()).toBe(3);
    expect(e1.flat().sort((a, c) => a - c)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const e2 = epoch(b);
    expect(e2.flat()).not.toEqual(e1.flat());
    const again = new Batcher(X, Y, 2, 4, new Rng(1));
    expect(epoch(again)).toEqual(e1);
  });

  it("skips a single leftover row when asked (batch norm) and handles batchSize > n", () => {
    const { X, Y } = data(9);
    const b = new Batcher(X, Y, 2, 4, new Rng(2), true);
    expect(epoch(b).map((x) => x.length)).toEqual([4, 4]);
    expect(b.batchesPerEpoch()).toBe(2);
    const big = new Batcher(X, Y, 2, 100, new Rng(2));
    expect(epoch(big).map((x) => x.length)).toEqual([9]);
  });
});

describe("StopRules", () => {
  it("takes the first loss as initial, stops on non-finite and on > factor × initial", () => {
    const s = new StopRules(3);
    expect(s.check(2)).toBeNull();
    expect(s.initialLoss).toBe(2);
    expect(s.check(6)).toBeNull();
    expect(s.check(6.01)).toBe("loss_exploded");
    expect(s.check(NaN)).toBe("non_finite");
    expect(s.check(Infinity)).toBe("non_finite");
    expect(new StopRules(3).check(-Infinity)).toBe("non_finite");
    const zero = new StopRules(3);
    zero.check(0);
    expect(zero.check(1)).toBeNull(); // no scale to compare with
  });
});
