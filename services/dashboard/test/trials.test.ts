import { describe, expect, it } from "vitest";
import { mergeTrials, objectiveOf, outcomeOf, paramKeys, rankedTrials, rankOrder, type Trial, type TrialMetrics } from "../public/js/trials.js";

function trial(over: Partial<Trial> & { id: string }): Trial {
  return {
    searchId: "s",
    round: 0,
    index: 0,
    params: {},
    status: "queued",
    stopReason: null,
    rank: null,
    attempts: 0,
    workerId: null,
    metrics: null,
    diagnostics: [],
    error: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}

const MAX_ACC = { metric: "valAccuracy", goal: "maximize" };
const metrics = (m: Partial<TrialMetrics>): TrialMetrics => ({ initialLoss: 1, finalLoss: 0.5, trainAccuracy: 0.8, valAccuracy: 0.7, valLoss: 0.6, epochs: 3, ...m });

describe("rankOrder", () => {
  it("orders ranked trials by rank, unranked last, then round and index (the API's order=rank)", () => {
    const list = [
      trial({ id: "a", rank: null, round: 0, index: 1 }),
      trial({ id: "b", rank: 2, round: 0, index: 0 }),
      trial({ id: "c", rank: 1, round: 1, index: 3 }),
      trial({ id: "d", rank: 1, round: 0, index: 2 }),
      trial({ id: "e", rank: null, round: 0, index: 0 }),
    ];
    expect(list.sort(rankOrder(MAX_ACC)).map((t) => t.id)).toEqual(["d", "c", "b", "e", "a"]);
  });

  it("orders unranked completed trials (a round in progress) by the objective, in the goal's direction", () => {
    const list = [
      trial({ id: "queued", index: 0 }),
      trial({ id: "ok", index: 1, status: "completed", metrics: metrics({ valAccuracy: 0.8, valLoss: 0.4 }) }),
      trial({ id: "running", index: 2, status: "running", metrics: metrics({ valAccuracy: 0.99, valLoss: 0.01 }) }),
      trial({ id: "best", index: 3, status: "completed", metrics: metrics({ valAccuracy: 0.9, valLoss: 0.3 }) }),
      trial({ id: "ranked", index: 4, status: "completed", rank: 1, metrics: metrics({ valAccuracy: 0.5, valLoss: 0.9 }) }),
    ];
    expect([...list].sort(rankOrder(MAX_ACC)).map((t) => t.id)).toEqual(["ranked", "best", "ok", "queued", "running"]);
    expect([...list].sort(rankOrder({ metric: "valLoss", goal: "minimize" })).map((t) => t.id)).toEqual(["ranked", "best", "ok", "queued", "running"]);
    expect([...list].sort(rankOrder({ metric: "valLoss", goal: "maximize" })).map((t) => t.id)).toEqual(["ranked", "ok", "best", "queued", "running"]);
  });
});

describe("objectiveOf", () => {
  it("reads the metric of a completed trial (trainLoss is the final loss), else null", () => {
    const m = metrics({ finalLoss: 0.25, valAccuracy: null });
    expect(objectiveOf(trial({ id: "a", status: "completed", metrics: m }), { metric: "trainLoss" })).toBe(0.25);
    expect(objectiveOf(trial({ id: "a", status: "completed", metrics: m }), { metric: "valAccuracy" })).toBeNull();
    expect(objectiveOf(trial({ id: "a", status: "stopped", metrics: m }), { metric: "trainLoss" })).toBeNull();
    expect(objectiveOf(trial({ id: "a", status: "completed", metrics: null }), { metric: "trainLoss" })).toBeNull();
  });
});

describe("mergeTrials", () => {
  it("upserts by id, the later copy of a trial in one page winning, and counts real changes", () => {
    const byId = new Map<string, Trial>();
    expect(mergeTrials(byId, [trial({ id: "a" }), trial({ id: "b" })])).toBe(2);
    const running = trial({ id: "a", status: "running", attempts: 1 });
    const done = trial({ id: "a", status: "completed", attempts: 1, rank: 1 });
    expect(mergeTrials(byId, [running, done])).toBe(2);
    expect(byId.get("a")).toEqual(done);
    expect(byId.size).toBe(2);
  });

  it("does not count an unchanged copy (a repeated change-feed row)", () => {
    const byId = new Map<string, Trial>();
    mergeTrials(byId, [trial({ id: "a", status: "running" })]);
    expect(mergeTrials(byId, [trial({ id: "a", status: "running" })])).toBe(0);
  });

  it("re-ranks when a feed page carries new ranks for trials already held", () => {
    const byId = new Map<string, Trial>();
    mergeTrials(byId, [trial({ id: "a", rank: 1, index: 0 }), trial({ id: "b", rank: 2, index: 1 })]);
    mergeTrials(byId, [trial({ id: "b", rank: 1, index: 1 }), trial({ id: "a", rank: 2, index: 0 })]);
    expect(rankedTrials(byId, MAX_ACC).map((t) => t.id)).toEqual(["b", "a"]);
  });
});

describe("paramKeys", () => {
  it("lists the spec's space keys, then keys only later rounds or trials have", () => {
    const detail = {
      spec: { space: { "training.learningRate": {}, "training.l2": {} } },
      rounds: [{ space: { "training.l2": {}, "training.learningRate": {} } }, { space: { "model.dropout": {} } }],
    };
    const trials = [trial({ id: "a", params: { "training.learningRate": 0.1, "model.hidden": [32] } })];
    expect(paramKeys(detail, trials)).toEqual(["training.learningRate", "training.l2", "model.dropout", "model.hidden"]);
  });
});

describe("outcomeOf", () => {
  it("shows a stop reason, or the first line of a failure", () => {
    expect(outcomeOf(trial({ id: "a", status: "stopped", stopReason: "loss_exploded" }))).toBe("loss_exploded");
    expect(outcomeOf(trial({ id: "a", status: "failed", error: "Error: boom\n    at x.ts:1" }))).toBe("Error: boom");
    expect(outcomeOf(trial({ id: "a", status: "completed" }))).toBe("");
  });
});
