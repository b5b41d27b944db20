import { describe, expect, it } from "vitest";
import type { Space } from "@hps/contracts";
import { buildChartPoints, type PointRow } from "./chart-points.ts";
import { paramImportance } from "./param-importance.ts";
import { parallelCoordinates } from "./parallel-coordinates.ts";
import { mulberry32 } from "./prng.ts";

const space: Space = {
  "training.learningRate": { type: "loguniform", low: 1e-4, high: 1 },
  "training.l2": { type: "uniform", low: 0, high: 1 },
  "model.hidden": { type: "choice", values: [[16], [32]] },
};

/** Objective driven by the learning rate only (peak at 1e-2), noise-free; every 10th trial diverged. */
function rows(n: number): PointRow[] {
  const stream = mulberry32(3);
  const rand = () => stream.next();
  return Array.from({ length: n }, (_, i) => {
    const lr = 10 ** (-4 + 4 * rand());
    const diverged = i % 10 === 9;
    return {
      round: i < n / 2 ? 0 : 1, index: i, status: diverged ? "stopped" : "completed", stopReason: diverged ? "loss_exploded" : null,
      objective: diverged ? null : 1 - Math.abs(Math.log10(lr) + 2) / 2, trainAccuracy: 0.9, valAccuracy: 0.8, epochs: 3,
      finishedAt: 1000 + (n - i), params: { "training.learningRate": lr, "training.l2": rand(), "model.hidden": [rand() < 0.5 ? 16 : 32] },
    };
  });
}

const points = (n: number) => buildChartPoints({ searchId: "00000000-0000-4000-8000-000000000000", objective: { metric: "valAccuracy", goal: "maximize" }, space, rows: rows(n) });

describe("chart data", () => {
  it("columns: one entry per trial, choices as indices, finish order from finishedAt", () => {
    const p = points(20);
    expect(p.n).toBe(20);
    for (const col of [p.round, p.status, p.value, p.finishOrder, p.valAccuracy]) expect(col).toHaveLength(20);
    expect(p.finishOrder[19]).toBe(1); // the last created finished first
    expect(p.stopReason[9]).toBe(p.stopReasons.indexOf("loss_exploded"));
    const hidden = p.params.find((c) => c.path === "model.hidden")!;
    expect(hidden.scale).toBe("choice");
    expect(hidden.choices).toEqual(["[16]", "[32]"]);
    expect(hidden.values.every((v) => v === 0 || v === 1)).toBe(true);
    expect(p.params[0]!.scale).toBe("log");
  });

  it("importance: the parameter that drives the objective dominates", () => {
    const imp = paramImportance(points(2000));
    const byPath = Object.fromEntries(imp.params.map((x) => [x.path, x.importance]));
    expect(byPath["training.learningRate"]).toBeGreaterThan(0.8);
    expect(byPath["training.l2"]).toBeLessThan(0.1);
    expect(imp.trials).toBe(1800);
  });

  it("parallel coordinates: diverged trials are off the axis and do not stretch it; log axis; sampled to maxLines with every top trial", () => {
    const p = points(3000);
    const pc = parallelCoordinates(p, 500);
    expect(pc.lines).toHaveLength(500);
    expect(pc.total).toBe(3000);
    const obj = pc.axes[pc.axes.length - 1]!;
    expect(obj.min).toBeGreaterThan(0); // objectives lie in (0, 1]; the diverged (null) ones did not pull it down
    expect(pc.offAxis.some(Boolean)).toBe(true);
    pc.lines.forEach((l, k) => (pc.offAxis[k] ? expect(l[l.length - 1]).toBeNull() : expect(l[l.length - 1]).not.toBeNull()));
    expect(pc.axes[0]!.scale).toBe("log");
    // Log axis: lr = 1e-2 sits near the middle of [1e-4, 1].
    const lrCol = p.params[0]!.values;
    const i = lrCol.findIndex((v) => v !== null && Math.abs(Math.log10(v) + 2) < 0.01);
    const full = parallelCoordinates(p, 10_000);
    expect(full.lines[i]![0]).toBeCloseTo(0.5, 1);
    expect(pc.top.filter(Boolean).length).toBe(250);
  });
});
