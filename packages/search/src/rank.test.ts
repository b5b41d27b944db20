import { describe, expect, it } from "vitest";
import type { TrialMetrics } from "@hps/contracts";
import { objectiveValue } from "./objective.ts";
import { rankTrials, type RankInput } from "./rank.ts";

const t = (id: string, status: RankInput["status"], objective: number | null): RankInput => ({ id, status, objective });

describe("rankTrials", () => {
  it("orders completed trials by objective (maximize), 1-based ranks", () => {
    const r = rankTrials([t("a", "completed", 0.5), t("b", "completed", 0.9), t("c", "completed", 0.7)], { goal: "maximize" });
    expect(r).toEqual([
      { id: "b", rank: 1 },
      { id: "c", rank: 2 },
      { id: "a", rank: 3 },
    ]);
  });

  it("orders by objective ascending for minimize", () => {
    const r = rankTrials([t("a", "completed", 0.5), t("b", "completed", 0.9), t("c", "completed", 0.1)], { goal: "minimize" });
    expect(r.map((x) => x.id)).toEqual(["c", "a", "b"]);
  });

  it("breaks ties by id, independent of input order", () => {
    const inputs = [t("z", "completed", 1), t("m", "completed", 1), t("a", "completed", 1)];
    expect(rankTrials(inputs, { goal: "maximize" }).map((x) => x.id)).toEqual(["a", "m", "z"]);
    expect(rankTrials([...inputs].reverse(), { goal: "maximize" }).map((x) => x.id)).toEqual(["a", "m", "z"]);
  });

  it("breaks ties by plan order (round, index) before id: random ids must not decide between equal trials", () => {
    const inputs: RankInput[] = [
      { id: "a", status: "completed", objective: 1, round: 0, index: 7 },
      { id: "b", status: "completed", objective: 1, round: 0, index: 3 },
      { id: "c", status: "completed", objective: 1, round: 1, index: 0 },
      { id: "d", status: "completed", objective: 2, round: 1, index: 9 },
    ];
    expect(rankTrials(inputs, { goal: "maximize" }).map((x) => x.id)).toEqual(["d", "b", "a", "c"]);
    expect(rankTrials([...inputs].reverse(), { goal: "maximize" }).map((x) => x.id)).toEqual(["d", "b", "a", "c"]);
  });

  it("puts non-finite objectives, then stopped, failed, cancelled last, and leaves in-flight trials out", () => {
    const r = rankTrials(
      [
        t("c1", "cancelled", null),
        t("f1", "failed", null),
        t("s1", "stopped", 0.2),
        t("s2", "stopped", null),
        t("s3", "stopped", 0.4),
        t("n1", "completed", Number.NaN),
        t("n2", "completed", null),
        t("q1", "queued", null),
        t("r1", "running", null),
        t("k1", "completed", 0.1),
        t("k2", "completed", Number.POSITIVE_INFINITY),
      ],
      { goal: "maximize" },
    );
    expect(r.map((x) => x.id)).toEqual(["k1", "k2", "n1", "n2", "s3", "s1", "s2", "f1", "c1"]);
    expect(r.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("ranks stopped trials by the epochs they trained, then by their value at the last one (pruned trials carry no objective); diverged ones after them", () => {
    const s = (id: string, epochs: number, lastValue: number | null, stopReason: RankInput["stopReason"] = "pruned"): RankInput => ({ id, status: "stopped", objective: null, stopReason, epochs, lastValue });
    const r = rankTrials(
      [
        s("a-rung0-low", 1, 0.6),
        s("b-diverged-deep", 3, 0.95, "loss_exploded"),
        s("c-rung1", 3, 0.8),
        s("d-rung0-high", 1, 0.9),
        s("e-nan", 2, null, "non_finite"),
        s("f-rung1-best", 3, 0.85),
        s("g-timeout", 2, 0.7, "timeout"),
        s("h-no-value", 1, null),
        { id: "z-done", status: "completed", objective: 0.5, epochs: 4 },
      ],
      { goal: "maximize" },
    );
    expect(r.map((x) => x.id)).toEqual(["z-done", "f-rung1-best", "c-rung1", "g-timeout", "d-rung0-high", "a-rung0-low", "h-no-value", "b-diverged-deep", "e-nan"]);
  });

  it("reads lastValue only for stopped trials: a completed trial without an objective stays in its group", () => {
    const r = rankTrials(
      [
        { id: "a", status: "completed", objective: null, lastValue: 0.99, epochs: 4 },
        { id: "b", status: "completed", objective: 0.1, epochs: 4 },
        { id: "c", status: "stopped", stopReason: "pruned", objective: null, lastValue: 0.5, epochs: 1 },
      ],
      { goal: "minimize" },
    );
    expect(r.map((x) => x.id)).toEqual(["b", "a", "c"]);
  });

  it("does not mutate its input", () => {
    const inputs = Object.freeze([Object.freeze(t("b", "completed", 1)), Object.freeze(t("a", "completed", 2))]);
    expect(() => rankTrials(inputs, { goal: "maximize" })).not.toThrow();
    expect(inputs.map((x) => x.id)).toEqual(["b", "a"]);
  });
});

describe("objectiveValue", () => {
  const m: TrialMetrics = { initialLoss: 2.3, finalLoss: 0.4, trainAccuracy: 0.95, valAccuracy: 0.9, valLoss: 0.5, epochs: 3 };
  it("picks the metric; trainLoss is finalLoss", () => {
    expect(objectiveValue(m, { metric: "valAccuracy" })).toBe(0.9);
    expect(objectiveValue(m, { metric: "valLoss" })).toBe(0.5);
    expect(objectiveValue(m, { metric: "trainAccuracy" })).toBe(0.95);
    expect(objectiveValue(m, { metric: "trainLoss" })).toBe(0.4);
  });
  it("is null for missing or non-finite metrics", () => {
    expect(objectiveValue(null, { metric: "valAccuracy" })).toBeNull();
    expect(objectiveValue({ ...m, valAccuracy: null }, { metric: "valAccuracy" })).toBeNull();
    expect(objectiveValue({ ...m, valLoss: Number.NaN }, { metric: "valLoss" })).toBeNull();
  });

  it("ranks like with like across rounds: larger epoch budgets first, then by objective; stopped trials after all completed", () => {
    const r = rankTrials(
      [
        { id: "coarse-best", status: "completed", objective: 0.99, budget: 1 },
        { id: "fine-a", status: "completed", objective: 0.9, budget: 9 },
        { id: "fine-b", status: "completed", objective: 0.95, budget: 9 },
        { id: "mid", status: "completed", objective: 0.97, budget: 3 },
        { id: "pruned", status: "stopped", objective: 0.98, budget: 9 },
        { id: "coarse-2", status: "completed", objective: 0.5, budget: 1 },
      ],
      { goal: "maximize" },
    );
    expect(r.map((x) => x.id)).toEqual(["fine-b", "fine-a", "mid", "coarse-best", "coarse-2", "pruned"]);
  });
});
