import { describe, expect, it } from "vitest";
import { extent, linearScale, linePath, niceTicks } from "../public/js/chart.js";

describe("extent", () => {
  it("ignores missing and non-finite values", () => {
    expect(extent([3, null, 1, Number.NaN, 2, undefined, Infinity])).toEqual([1, 3]);
    expect(extent([null, Number.NaN])).toBeNull();
    expect(extent([])).toBeNull();
  });
});

describe("niceTicks", () => {
  it("covers the range with 1/2/5 × 10^k steps and widens the domain to the outer ticks", () => {
    expect(niceTicks(0.23, 0.91, { count: 4 })).toEqual({ lo: 0.2, hi: 1, ticks: [0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceTicks(0, 1, { count: 4 })).toEqual({ lo: 0, hi: 1, ticks: [0, 0.5, 1] });
  });

  it("uses whole steps on an integer axis (epochs)", () => {
    expect(niceTicks(1, 3, { count: 6, integer: true }).ticks).toEqual([1, 2, 3]);
    expect(niceTicks(1, 40, { count: 6, integer: true }).ticks).toEqual([0, 10, 20, 30, 40]);
  });

  it("pads a zero-width range (a single epoch)", () => {
    expect(niceTicks(1, 1, { integer: true })).toEqual({ lo: 0, hi: 2, ticks: [0, 1, 2] });
    const t = niceTicks(0.5, 0.5);
    expect(t.lo).toBeLessThan(0.5);
    expect(t.hi).toBeGreaterThan(0.5);
  });

  it("has no floating-point residue in tick values", () => {
    for (const v of niceTicks(0.1, 0.7, { count: 6 }).ticks) expect(String(v).length).toBeLessThanOrEqual(4);
  });
});

describe("linearScale", () => {
  it("maps the domain onto the range, inverted ranges included (SVG y grows downward)", () => {
    const y = linearScale([0, 1], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(1)).toBe(0);
    expect(y(0.25)).toBe(150);
    expect(linearScale([2, 2], [0, 10])(2)).toBe(0);
  });
});

describe("linePath", () => {
  const id = (v: number) => v;
  it("draws M then L through the points", () => {
    expect(linePath([{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 1.006 }], id, id)).toBe("M1 2 L2 3 L3 1.01");
  });

  it("breaks the line at a missing or non-finite value", () => {
    const pts = [{ x: 1, y: 1 }, { x: 2, y: null }, { x: 3, y: 3 }, { x: 4, y: 4 }, { x: 5, y: Number.NaN }];
    expect(linePath(pts, id, id)).toBe("M1 1 M3 3 L4 4");
  });

  it("applies the scales", () => {
    expect(linePath([{ x: 0, y: 0 }, { x: 1, y: 1 }], linearScale([0, 1], [10, 20]), linearScale([0, 1], [100, 0]))).toBe("M10 100 L20 0");
  });

  it("is empty without drawable points", () => {
    expect(linePath([], id, id)).toBe("");
    expect(linePath([{ x: 1, y: null }], id, id)).toBe("");
  });
});
