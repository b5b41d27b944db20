import { describe, expect, it } from "vitest";
import { denseCells } from "../public/js/charts/dense-points.js";

const box = { left: 10, top: 20, width: 100, height: 50 };

describe("denseCells", () => {
  it("one corner per occupied cell, in first-seen order", () => {
    // 11,21 and 11.9,21.9 share the cell at (10..12, 20..22); 12,21 is the next cell along x.
    expect(denseCells([11, 11.9, 12, 50.5], [21, 21.9, 21, 40.5], box, 2)).toEqual([10, 20, 12, 20, 50, 40]);
  });

  it("keeps every point that has a cell of its own", () => {
    const xs = Array.from({ length: 50 }, (_, i) => 10.5 + 2 * i);
    expect(denseCells(xs, xs.map(() => 30), box, 2)).toHaveLength(100);
  });

  it("draws a crowd as the cells it occupies: each point's cell once, no other", () => {
    const frac = (v: number) => v - Math.floor(v);
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => box.left + box.width * frac(Math.sin(i + 1) * 43758.5453));
    const ys = Array.from({ length: n }, (_, i) => box.top + box.height * frac(Math.sin(2 * i + 7) * 24634.6345));
    const cells = denseCells(xs, ys, box, 2);
    const key = (x: number, y: number) => `${Math.floor((x - box.left) / 2)},${Math.floor((y - box.top) / 2)}`;
    const want = new Set(xs.map((x, i) => key(x, ys[i]!)));
    const got = new Set<string>();
    for (let i = 0; i < cells.length; i += 2) got.add(key(cells[i]!, cells[i + 1]!));
    expect(cells.length / 2).toBe(got.size); // no cell twice
    expect(got).toEqual(want);
  });

  it("leaves out points without a y, non-finite ones and those outside the box", () => {
    expect(denseCells([11, 12, Number.NaN, 5, 200, 30], [null, Infinity, 30, 30, 30, 30], box, 2)).toEqual([30, 30]);
  });
});
