import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { loadSpiral, spiralPoints } from "./spiral.ts";

describe("spiral", () => {
  it("follows CS231n's construction: radius linspace(0,1), angle 4j..4(j+1) + N(0, 0.2²)", () => {
    const { X, Y } = spiralPoints(100, 3, new Rng(1));
    expect(X.length).toBe(600);
    expect(Array.from(Y.subarray(0, 100)).every((y) => y === 0)).toBe(true);
    expect(Y[299]).toBe(2);
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 100; i++) {
        const ix = j * 100 + i;
        const r = Math.hypot(X[2 * ix], X[2 * ix + 1]);
        expect(r).toBeCloseTo(i / 99, 5);
      }
    }
    // The angle noise: t − linspace has std ≈ 0.2 (checked where r is large enough to measure the angle).
    let s2 = 0, n = 0;
    for (let i = 10; i < 100; i++) {
      const t = Math.atan2(X[2 * i], X[2 * i + 1]); // x = r·sin t, y = r·cos t
      let dt = t - (4 * i) / 99;
      dt -= 2 * Math.PI * Math.round(dt / (2 * Math.PI));
      s2 += dt * dt;
      n++;
    }
    expect(Math.sqrt(s2 / n)).toBeGreaterThan(0.15);
    expect(Math.sqrt(s2 / n)).toBeLessThan(0.25);
  });

  it("splits into train/val with the requested sizes, shape [2], deterministically by seed", () => {
    const a = loadSpiral(250, 50, 4, new Rng(7));
    expect(a.trainX.length).toBe(500);
    expect(a.valY.length).toBe(50);
    expect(a.inputShape).toEqual([2]);
    expect(a.classes).toBe(4);
    expect(new Set(a.trainY).size).toBe(4);
    const b = loadSpiral(250, 50, 4, new Rng(7));
    expect(b.trainX).toEqual(a.trainX);
    expect(b.valY).toEqual(a.valY);
    const c = loadSpiral(250, 50, 4, new Rng(8));
    expect(c.trainX).not.toEqual(a.trainX);
  });
});
