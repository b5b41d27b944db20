import { describe, expect, it } from "vitest";
import {
  DASH,
  describeDist,
  finishedCount,
  fmtAgo,
  fmtDuration,
  fmtNum,
  fmtPct,
  fmtValue,
  isSettled,
  plannedTrials,
  progressSegments,
  shortPath,
} from "../public/js/format.js";

const counts = (c: Partial<Record<"queued" | "running" | "completed" | "stopped" | "failed" | "cancelled", number>>) => {
  const full = { queued: 0, running: 0, completed: 0, stopped: 0, failed: 0, cancelled: 0, ...c };
  return { ...full, total: Object.values(full).reduce((a, b) => a + b, 0) };
};

describe("fmtNum", () => {
  it("keeps 3 significant digits and switches to exponents for tiny or huge magnitudes", () => {
    expect(fmtNum(0.012345)).toBe("0.0123");
    expect(fmtNum(0.5)).toBe("0.5");
    expect(fmtNum(12)).toBe("12");
    expect(fmtNum(2.0512)).toBe("2.05");
    expect(fmtNum(0.0001)).toBe("1e-4");
    expect(fmtNum(0.000152)).toBe("1.52e-4");
    expect(fmtNum(123456)).toBe("1.23e+5");
    expect(fmtNum(0)).toBe("0");
    expect(fmtNum(-0.25)).toBe("-0.25");
  });

  it("renders missing and non-finite values as a dash", () => {
    for (const v of [null, undefined, Number.NaN, Infinity]) expect(fmtNum(v)).toBe(DASH);
  });
});

describe("fmtPct / fmtValue / shortPath", () => {
  it("formats accuracies as percentages", () => {
    expect(fmtPct(0.9166666)).toBe("91.7%");
    expect(fmtPct(1)).toBe("100.0%");
    expect(fmtPct(null)).toBe(DASH);
  });

  it("formats sampled values by type", () => {
    expect(fmtValue(0.00003)).toBe("3e-5");
    expect(fmtValue("relu")).toBe("relu");
    expect(fmtValue([256, 128])).toBe("[256,128]");
    expect(fmtValue(true)).toBe("true");
    expect(fmtValue(null)).toBe(DASH);
  });

  it("shortens dotted paths to their last key", () => {
    expect(shortPath("training.learningRate")).toBe("learningRate");
    expect(shortPath("seed")).toBe("seed");
  });
});

describe("fmtDuration / fmtAgo", () => {
  it("picks a unit by magnitude", () => {
    expect(fmtDuration(850)).toBe("850 ms");
    expect(fmtDuration(12_400)).toBe("12 s");
    expect(fmtDuration(185_000)).toBe("3 min 05 s");
    expect(fmtDuration(3_720_000)).toBe("1 h 02 min");
    expect(fmtDuration(-1)).toBe(DASH);
  });

  it("says how long ago, then falls back to the date", () => {
    const now = Date.parse("2026-01-02T12:00:00Z");
    expect(fmtAgo("2026-01-02T11:59:30Z", now)).toBe("30 s ago");
    expect(fmtAgo("2026-01-02T11:55:00Z", now)).toBe("5 min ago");
    expect(fmtAgo("2026-01-02T09:00:00Z", now)).toBe("3 h ago");
    expect(fmtAgo("2025-12-20T08:30:00Z", now)).toBe("2025-12-20 08:30");
    expect(fmtAgo(null, now)).toBe(DASH);
    expect(fmtAgo("not a date", now)).toBe(DASH);
  });
});

describe("describeDist", () => {
  it("describes numeric ranges, grid points and choices", () => {
    expect(describeDist({ type: "loguniform", low: 0.001, high: 10 })).toBe("loguniform [0.001, 10]");
    expect(describeDist({ type: "int", low: 1, high: 5, points: 5 })).toBe("int [1, 5], 5 points");
    expect(describeDist({ type: "choice", values: [[32], [64], "relu"] })).toBe("choice [32] | [64] | relu");
  });
});

describe("plannedTrials", () => {
  it("is trials × rounds for a random search before any round exists", () => {
    expect(plannedTrials({ spec: { strategy: { trials: 8, rounds: 3 } }, rounds: [], counts: counts({}) })).toBe(24);
  });

  it("counts the created rounds and the remaining ones at the last round's size", () => {
    const detail = { spec: { strategy: { rounds: 3 } }, rounds: [{ trials: 9 }, { trials: 9 }], counts: counts({ completed: 12, queued: 6 }) };
    expect(plannedTrials(detail)).toBe(27);
  });

  it("adds the rounds still to come at their own sizes when strategy.rounds lists per-round budgets", () => {
    const strategy = { trials: 5, rounds: [{ trials: 27, epochs: 1 }, { trials: 9, epochs: 3 }, { epochs: 9 }] };
    expect(plannedTrials({ spec: { strategy }, rounds: [], counts: counts({}) })).toBe(41);
    expect(plannedTrials({ spec: { strategy }, rounds: [{ trials: 27 }], counts: counts({ completed: 27 }) })).toBe(41);
  });

  it("is never less than the trials that exist", () => {
    expect(plannedTrials({ spec: { strategy: { trials: 2 } }, rounds: [{ trials: 2 }], counts: counts({ completed: 5 }) })).toBe(5);
  });
});

describe("progressSegments", () => {
  it("stacks non-empty states, finished first, as shares of the planned total", () => {
    const c = counts({ completed: 2, stopped: 1, running: 1, queued: 4 });
    expect(finishedCount(c)).toBe(3);
    expect(progressSegments(c, 16)).toEqual([
      { status: "completed", count: 2, fraction: 2 / 16 },
      { status: "stopped", count: 1, fraction: 1 / 16 },
      { status: "running", count: 1, fraction: 1 / 16 },
      { status: "queued", count: 4, fraction: 4 / 16 },
    ]);
  });

  it("is empty without trials (and never divides by zero)", () => {
    expect(progressSegments(counts({}), 0)).toEqual([]);
  });
});

describe("isSettled", () => {
  it("waits for a final search's queued and running trials to end", () => {
    expect(isSettled({ status: "running", counts: counts({ completed: 3 }) })).toBe(false);
    expect(isSettled({ status: "cancelled", counts: counts({ completed: 3, running: 1 }) })).toBe(false);
    expect(isSettled({ status: "cancelled", counts: counts({ completed: 3, cancelled: 2 }) })).toBe(true);
    expect(isSettled({ status: "completed" })).toBe(true);
  });
});
