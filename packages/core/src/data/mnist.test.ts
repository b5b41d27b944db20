import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { loadMnist, mnistAll } from "./mnist.ts";

describe("mnist", () => {
  it("loads the package's 10,000 digits once, pixels in [0, 1]", () => {
    const all = mnistAll();
    expect(all.Y.length).toBe(10000);
    expect(all.X.length).toBe(10000 * 784);
    expect(mnistAll()).toBe(all); // cached
    let min = Infinity, max = -Infinity;
    for (const v of all.X) { if (v < min) min = v; if (v > max) max = v; }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = new Array(10).fill(0);
    for (const y of all.Y) counts[y]++;
    expect(counts.every((c) => c > 800)).toBe(true);
  });

  it("splits disjointly and deterministically by seed, shape [1, 28, 28]", () => {
    const a = loadMnist(300, 100, new Rng(1));
    expect(a.inputShape).toEqual([1, 28, 28]);
    expect(a.classes).toBe(10);
    expect(a.trainX.length).toBe(300 * 784);
    expect(a.valY.length).toBe(100);
    expect(loadMnist(300, 100, new Rng(1)).trainX).toEqual(a.trainX);
    expect(loadMnist(300, 100, new Rng(2)).trainY).not.toEqual(a.trainY);
    // Disjoint: no val image equals a train image (mnist has no exact duplicates among these).
    const key = (X: Float32Array, i: number) => X.subarray(i * 784, i * 784 + 784).join(",");
    const train = new Set(Array.from({ length: 300 }, (_, i) => key(a.trainX, i)));
    for (let i = 0; i < 100; i++) expect(train.has(key(a.valX, i))).toBe(false);
  });

  it("errors clearly when trainSize + valSize exceeds what the package has", () => {
    expect(() => loadMnist(9000, 2000, new Rng(1))).toThrow(/9000 \+ 2000 = 11000 exceeds the 10000 digits/);
  });
});
