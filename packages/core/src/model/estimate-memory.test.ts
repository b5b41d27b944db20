import { describe, expect, it } from "vitest";
import { TrialConfig, type TrialConfigInput } from "@hps/contracts";
import { arenaStats } from "../kernels/index.ts";
import { EVAL_CHUNK } from "../train/evaluate.ts";
import { train } from "../train/train.ts";
import { estimateTrialMemory } from "./estimate-memory.ts";

const cfg = (over: TrialConfigInput["training"] = {}, model: TrialConfigInput["model"] = {}, dataset: Partial<TrialConfigInput["dataset"]> = {}) =>
  TrialConfig.parse({ seed: 1, dataset: { name: "mnist", trainSize: 600, valSize: 200, ...dataset }, model, training: { epochs: 1, ...over } });

const cnn = { type: "cnn" as const, conv: [0, 1, 2].map(() => ({ filters: 64, size: 3, pad: 1 })), hidden: [] };
const MB = 2 ** 20;

/** The most arena bytes a real training run holds at once (read at every epoch end, where every buffer exists). */
function measuredArenaPeak(config: TrialConfig): number {
  const before = arenaStats().bytesInUse;
  let peak = 0;
  train(config, { onEpoch: () => (peak = Math.max(peak, arenaStats().bytesInUse - before)) });
  return peak;
}

describe("estimateTrialMemory", () => {
  it("uses the evaluation chunk the training loop uses", async () => {
    const { readFileSync } = await import("node:fs");
    const src = readFileSync(new URL("./estimate-memory.ts", import.meta.url), "utf8");
    expect(src).toContain(`const EVAL_ROWS = ${EVAL_CHUNK};`);
  });

  it.each([
    ["an MLP", cfg({ batchSize: 64, optimizer: "adam" }, { hidden: [256, 128] })],
    ["a CNN", cfg({ batchSize: 32, optimizer: "adam" }, { ...cnn, conv: [{ filters: 8, size: 3, pad: 1, pool: { size: 2, stride: 2 } }] }, { trainSize: 200, valSize: 100 })],
    ["an MLP with batch norm, dropout and Polyak", cfg({ batchSize: 1000, optimizer: "momentum", polyakDecay: 0.9 }, { hidden: [100], batchNorm: true, dropout: 0.3 })],
  ])("bounds what %s really allocates, without overstating it more than 3x", (_what, config) => {
    const est = estimateTrialMemory(config);
    const arenaParts = est.parts.filter((p) => !p.what.startsWith("the dataset") && !p.what.startsWith("the worker")).reduce((s, p) => s + p.bytes, 0);
    const measured = measuredArenaPeak(config);
    expect(arenaParts).toBeGreaterThanOrEqual(measured);
    expect(arenaParts).toBeLessThan(3 * measured + 8 * MB);
  });

  it("grows with the batch for activations but not for the conv scratch past its chunk", () => {
    const small = estimateTrialMemory(cfg({ batchSize: 1000 }, cnn, { trainSize: 8000 }));
    const large = estimateTrialMemory(cfg({ batchSize: 8000 }, cnn, { trainSize: 8000 }));
    const part = (e: typeof small, what: string) => e.parts.find((p) => p.what.startsWith(what))!.bytes;
    expect(part(large, "activations")).toBeCloseTo(8 * part(small, "activations"), -3);
    expect(part(large, "convolution")).toBe(part(small, "convolution"));
    // The CNN, batch 8,000: far past a 4 GB worker's budget; with batch 64 well inside it.
    expect(large.bytes).toBeGreaterThan(8000 * MB);
    expect(estimateTrialMemory(cfg({ batchSize: 64 }, cnn, { trainSize: 8000 })).bytes).toBeLessThan(1000 * MB);
  });

  it("names the fields that drive its largest part", () => {
    const e = estimateTrialMemory(cfg({ batchSize: 8000 }, cnn, { trainSize: 8000 }));
    expect(e.parts[0]!.what).toMatch(/activations/);
    expect(e.parts[0]!.fields).toContain("training.batchSize");
  });
});
