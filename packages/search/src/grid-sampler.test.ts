import { describe, expect, it } from "vitest";
import type { Space } from "@hps/contracts";
import { InvalidSpace } from "./errors.ts";
import { gridValues } from "./grid-points.ts";
import { GridSampler, gridSize } from "./grid-sampler.ts";

const grid = new GridSampler();
const all = (space: Space) => grid.sample(space, { seed: 0, round: 0, count: Number.MAX_SAFE_INTEGER });

describe("GridSampler", () => {
  it("has exactly the product of the dimensions' sizes, all distinct", () => {
    const space: Space = {
      "training.learningRate": { type: "loguniform", low: 1e-4, high: 1, points: 5 },
      "training.momentum": { type: "uniform", low: 0, high: 0.9, points: 4 },
      "model.hidden": { type: "choice", values: [[32], [64], [128]] },
    };
    expect(gridSize(space)).toBe(60);
    const out = all(space);
    expect(out).toHaveLength(60);
    expect(new Set(out.map((a) => JSON.stringify(a))).size).toBe(60);
  });

  it("includes the endpoints and spaces uniform points linearly", () => {
    expect(gridValues("x", { type: "uniform", low: 0, high: 1, points: 5 })).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it("spaces loguniform points geometrically (constant ratio), endpoints exact", () => {
    const v = gridValues("x", { type: "loguniform", low: 1e-4, high: 10, points: 6 }) as number[];
    expect(v[0]).toBe(1e-4);
    expect(v[5]).toBe(10);
    for (let i = 1; i < v.length; i++) expect(v[i]! / v[i - 1]!).toBeCloseTo(10, 10);
  });

  it("rounds int points and removes duplicates", () => {
    expect(gridValues("x", { type: "int", low: 1, high: 3, points: 5 })).toEqual([1, 2, 3]);
    expect(gridValues("x", { type: "int", low: 16, high: 256, points: 4 })).toEqual([16, 96, 176, 256]);
    expect(gridSize({ x: { type: "int", low: 1, high: 3, points: 5 } })).toBe(3);
  });

  it("uses the midpoint for a single point", () => {
    expect(gridValues("x", { type: "uniform", low: 2, high: 4, points: 1 })).toEqual([3]);
    expect(gridValues("x", { type: "loguniform", low: 1e-4, high: 1, points: 1 })[0]).toBeCloseTo(1e-2, 12);
  });

  it("enumerates row-major over sorted paths (last path fastest)", () => {
    const space: Space = { b: { type: "choice", values: [1, 2] }, a: { type: "choice", values: ["x", "y"] } };
    expect(all(space)).toEqual([
      { a: "x", b: 1 },
      { a: "x", b: 2 },
      { a: "y", b: 1 },
      { a: "y", b: 2 },
    ]);
  });

  it("rejects a numeric dimension without points, naming its path", () => {
    const space: Space = { "training.l2": { type: "loguniform", low: 1e-6, high: 1 } };
    expect(() => gridSize(space)).toThrow(InvalidSpace);
    try {
      all(space);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidSpace);
      expect((e as InvalidSpace).code).toBe("grid_points_missing");
      expect((e as InvalidSpace).dimension).toBe("training.l2");
      expect((e as InvalidSpace).path).toBe("space.training.l2");
    }
  });
});
