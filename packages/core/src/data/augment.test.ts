import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { Augmenter } from "./augment.ts";

const shape = [1, 4, 4];
const batch = (n: number) => Float32Array.from({ length: n * 16 }, (_, i) => (i % 16) + 1);
const spec = (over: Partial<{ cropPad: number; flip: boolean; brightness: number }>) => ({ cropPad: 0, flip: false, brightness: 0, ...over });

describe("Augmenter", () => {
  it("is the identity (same buffer) when nothing is enabled", () => {
    const x = batch(2);
    expect(new Augmenter(shape, spec({}), new Rng(1)).apply(x, 2)).toBe(x);
  });

  it("is deterministic by seed and reuses its output buffer", () => {
    const s = spec({ cropPad: 1, flip: true, brightness: 0.1 });
    const a = new Augmenter(shape, s, new Rng(4));
    const b = new Augmenter(shape, s, new Rng(4));
    const x = batch(8);
    const ya = a.apply(x, 8);
    expect(Array.from(b.apply(x, 8))).toEqual(Array.from(ya));
    const first = Array.from(ya);
    const ya2 = a.apply(x, 8);
    expect(ya2).toBe(ya);
    expect(Array.from(ya2)).not.toEqual(first); // fresh draws per batch
  });

  it("flips horizontally with probability ½", () => {
    const a = new Augmenter(shape, spec({ flip: true }), new Rng(2));
    const y = a.apply(batch(200), 200);
    let flipped = 0;
    for (let s = 0; s < 200; s++) {
      const row = Array.from(y.subarray(s * 16, s * 16 + 4));
      if (row.join() === "4,3,2,1") flipped++;
      else expect(row).toEqual([1, 2, 3, 4]);
    }
    expect(flipped).toBeGreaterThan(70);
    expect(flipped).toBeLessThan(130);
  });

  it("crops a zero-padded image: shifted content with zeros coming in, never more than cropPad", () => {
    const a = new Augmenter(shape, spec({ cropPad: 1 }), new Rng(3));
    const y = a.apply(batch(50), 50);
    for (let s = 0; s < 50; s++) {
      const img = Array.from(y.subarray(s * 16, s * 16 + 16));
      const nz = img.filter((v) => v !== 0).length;
      expect([9, 12, 16]).toContain(nz); // shifts of (±1 or 0) in each direction
      // Each surviving pixel keeps its row/col neighbours' relation: value differences of 1 along a row.
      for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) {
        const u = img[i * 4 + j], v = img[i * 4 + j + 1];
        if (u !== 0 && v !== 0) expect(v - u).toBe(1);
      }
    }
  });

  it("adds one brightness shift in (−b, b) to every pixel of a sample", () => {
    const a = new Augmenter(shape, spec({ brightness: 0.3 }), new Rng(5));
    const x = batch(20);
    const y = a.apply(x, 20);
    for (let s = 0; s < 20; s++) {
      const d = y[s * 16] - x[s * 16];
      expect(Math.abs(d)).toBeLessThan(0.3);
      for (let i = 1; i < 16; i++) expect(y[s * 16 + i] - x[s * 16 + i]).toBeCloseTo(d, 5);
    }
  });

  it("rejects non-image samples", () => {
    expect(() => new Augmenter([2], spec({ flip: true }), new Rng(1))).toThrow(/needs image samples/);
  });
});
