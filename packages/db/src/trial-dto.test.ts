import { describe, expect, it } from "vitest";
import { Trial } from "@hps/contracts";
import type { Trial as TrialRow } from "./generated/client.ts";
import { toEpochDto, toTrialDto } from "./trial-dto.ts";

const row = (over: Partial<TrialRow> = {}): TrialRow => ({
  id: "6f1c1f7e-2a51-4b43-9d8e-0a5c2d1f0b11",
  searchId: "0d7b3a8e-6f0e-4c3b-8a91-2b7c9e4d5a22",
  round: 0,
  index: 3,
  params: { "training.learningRate": 0.01 },
  config: {},
  status: "queued",
  stopReason: null,
  attempts: 0,
  workerId: null,
  initialLoss: null,
  finalLoss: null,
  trainAccuracy: null,
  valAccuracy: null,
  valLoss: null,
  epochs: 0,
  objective: null,
  rank: null,
  diagnostics: [],
  error: null,
  enqueuedAt: null,
  createdAt: new Date("2026-11-26T10:00:00.000Z"),
  updatedAt: new Date("2026-11-26T10:00:00.000Z"),
  startedAt: null,
  finishedAt: null,
  ...over,
});

describe("toTrialDto", () => {
  it("a queued trial has no metrics and ISO dates; the result fits the contract", () => {
    const dto = toTrialDto(row());
    expect(dto).toMatchObject({ index: 3, status: "queued", metrics: null, startedAt: null, createdAt: "2026-11-26T10:00:00.000Z" });
    expect(Trial.parse(dto)).toEqual(dto);
  });

  it("metrics appear after the first epoch, and for a trial stopped before finishing one", () => {
    expect(toTrialDto(row({ status: "running", epochs: 1, finalLoss: 0.9 })).metrics).toMatchObject({ epochs: 1, finalLoss: 0.9 });
    const stopped = toTrialDto(row({ status: "stopped", stopReason: "loss_exploded", initialLoss: 1.1, finalLoss: Infinity }));
    expect(stopped.metrics).toEqual({ initialLoss: 1.1, finalLoss: null, trainAccuracy: null, valAccuracy: null, valLoss: null, epochs: 0 });
    expect(stopped.stopReason).toBe("loss_exploded");
  });

  it("tolerates what the table allows but the contract does not", () => {
    const dto = toTrialDto(row({ stopReason: "meteor", diagnostics: ["ok", { code: "x" }], params: null as never }));
    expect(dto.stopReason).toBeNull();
    expect(dto.diagnostics).toEqual(["ok", '{"code":"x"}']);
    expect(dto.params).toEqual({});
    expect(Trial.parse(dto)).toEqual(dto);
  });

  it("curve points map non-finite values to null", () => {
    const p = toEpochDto({ trialId: "t", epoch: 2, trainLoss: NaN, valLoss: 0.5, trainAccuracy: 0.8, valAccuracy: null, createdAt: new Date() });
    expect(p).toEqual({ epoch: 2, trainLoss: null, valLoss: 0.5, trainAccuracy: 0.8, valAccuracy: null });
  });
});
