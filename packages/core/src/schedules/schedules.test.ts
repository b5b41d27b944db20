import { describe, expect, it } from "vitest";
import { createSchedule } from "./schedules.ts";

describe("learning-rate schedules (per 0-based epoch)", () => {
  const lrs = (spec: Parameters<typeof createSchedule>[0], epochs = 5) => {
    const s = createSchedule(spec, 0.1, epochs);
    return Array.from({ length: epochs }, (_, e) => s.lr(e));
  };

  it("none keeps the base rate", () => {
    expect(lrs({ type: "none" })).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
  });
  it("step multiplies by gamma every stepEpochs", () => {
    const got = lrs({ type: "step", stepEpochs: 2, gamma: 0.5 });
    [0.1, 0.1, 0.05, 0.05, 0.025].forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
  });
  it("exponential is lr·γ^e", () => {
    const got = lrs({ type: "exponential", gamma: 0.9 });
    got.forEach((g, e) => expect(g).toBeCloseTo(0.1 * 0.9 ** e, 12));
  });
  it("inverse is lr/(1 + k·e)", () => {
    const got = lrs({ type: "inverse", k: 0.5 });
    [0.1, 0.1 / 1.5, 0.05, 0.1 / 2.5, 0.1 / 3].forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
  });
  it("cosine goes from lr to minLr over the epochs", () => {
    const got = lrs({ type: "cosine", minLr: 0.01 }, 4);
    expect(got[0]).toBeCloseTo(0.1, 12);
    expect(got[2]).toBeCloseTo(0.055, 12); // halfway
    expect(createSchedule({ type: "cosine", minLr: 0.01 }, 0.1, 4).lr(4)).toBeCloseTo(0.01, 12);
    for (let i = 1; i < got.length; i++) expect(got[i]).toBeLessThan(got[i - 1]);
  });
  it("throws on an unknown type", () => {
    expect(() => createSchedule({ type: "warmup" } as never, 0.1, 5)).toThrow(/unknown lrSchedule type "warmup"/);
  });
});
