import { describe, expect, it } from "vitest";
import { ModelConfig, type ModelConfig as ModelConfigT } from "@hps/contracts";
import { Rng } from "../rng.ts";
import { buildModel } from "./build-model.ts";
import { checkArchitecture, countParams, MAX_PARAMS } from "./check-architecture.ts";

const cnn = (conv: unknown[], extra: object = {}) => ModelConfig.parse({ type: "cnn", hidden: [16], conv, ...extra });

describe("checkArchitecture", () => {
  it("accepts buildable models", () => {
    expect(checkArchitecture(ModelConfig.parse({ hidden: [64] }), [784], 10)).toEqual([]);
    expect(checkArchitecture(cnn([{ filters: 8, size: 5, pad: 2, pool: { size: 2, stride: 2 } }, { filters: 16, size: 4, stride: 2, pad: 1 }]), [1, 28, 28], 10)).toEqual([]);
  });

  it("names the conv block whose output size is not a whole number", () => {
    const issues = checkArchitecture(cnn([{ filters: 4, size: 3, pad: 1, pool: { size: 2, stride: 2 } }, { filters: 4, size: 5, stride: 2 }]), [1, 28, 28], 10);
    expect(issues).toEqual([{ path: "model.conv.1", message: "conv block 1: (14 + 2·0 − 5)/2 + 1 = 5.5 is not an integer" }]);
  });

  it("names a pool that does not tile its input, and a filter larger than its input", () => {
    expect(checkArchitecture(cnn([{ filters: 4, size: 3, pool: { size: 2, stride: 2 } }]), [1, 7, 7], 10)).toEqual([
      { path: "model.conv.0.pool", message: "pool of conv block 0: (5 − 2)/2 + 1 = 2.5 is not an integer" },
    ]);
    expect(checkArchitecture(cnn([{ filters: 4, size: 9 }]), [1, 5, 5], 10)[0]).toMatchObject({ path: "model.conv.0", message: expect.stringMatching(/less than 1/) });
  });

  it("rejects a cnn on non-image data", () => {
    expect(checkArchitecture(cnn([{ filters: 4, size: 3 }]), [2], 3)).toEqual([
      { path: "model.type", message: "a cnn needs image input [C, H, W], but the dataset gives [2]" },
    ]);
  });

  it("rejects models over the parameter budget, counting maxout's k pieces", () => {
    const big = ModelConfig.parse({ hidden: [4096, 4096], activation: "maxout", maxoutPieces: 2 });
    expect(checkArchitecture(big, [784], 10)[0]).toMatchObject({ path: "model", message: expect.stringContaining(`limit of ${MAX_PARAMS}`) });
    expect(checkArchitecture(ModelConfig.parse({ hidden: [4096, 4096] }), [784], 10)).toEqual([]);
  });

  it("rejects freezing every weight layer", () => {
    const cfg = ModelConfig.parse({ hidden: [8], initFrom: { trialId: "00000000-0000-4000-8000-000000000000", freezeLayers: 2 } });
    expect(checkArchitecture(cfg, [4], 3)).toEqual([
      { path: "model.initFrom.freezeLayers", message: "freezes 2 layers but the model has 2 weight layers (at least the output layer must train)" },
    ]);
  });

  it("rejects re-initialising every weight layer, or one that is also frozen", () => {
    const from = (freezeLayers: number, reinitLayers: number) => ModelConfig.parse({ hidden: [8, 8], initFrom: { trialId: "00000000-0000-4000-8000-000000000000", freezeLayers, reinitLayers } });
    expect(checkArchitecture(from(0, 3), [4], 3)).toEqual([
      { path: "model.initFrom.reinitLayers", message: "re-initialises 3 layers but the model has 3 weight layers (nothing would be loaded from the stored trial)" },
    ]);
    expect(checkArchitecture(from(2, 2), [4], 3)).toEqual([
      { path: "model.initFrom.reinitLayers", message: "re-initialises the last 2 of 3 weight layers, but the first 2 are frozen (a frozen fresh layer never trains)" },
    ]);
    expect(checkArchitecture(from(2, 1), [4], 3)).toEqual([]);
    expect(checkArchitecture(from(0, 2), [4], 3)).toEqual([]);
  });

  it("counts the params of an mlp as buildModel builds it", () => {
    for (const extra of [{}, { batchNorm: true }, { activation: "maxout", maxoutPieces: 3, batchNorm: true }]) {
      const cfg = ModelConfig.parse({ hidden: [7, 5], ...extra });
      expect(countParams(cfg, [1, 4, 4], 3)).toBe(buildModel(cfg, [1, 4, 4], 3, new Rng(1)).paramCount());
    }
  });

  it("agrees with buildModel on random CNNs: no issues ⇔ it builds, with the predicted param count", () => {
    const rng = new Rng(7);
    let built = 0;
    for (let t = 0; t < 300; t++) {
      const conv = Array.from({ length: 1 + rng.int(3) }, () => ({
        filters: 1 + rng.int(4), size: 1 + rng.int(5), stride: 1 + rng.int(3), pad: rng.int(3),
        ...(rng.uniform() < 0.5 ? { pool: { size: 1 + rng.int(3), stride: 1 + rng.int(3) } } : {}),
      }));
      const activation = rng.uniform() < 0.3 ? "maxout" : "relu";
      const cfg: ModelConfigT = cnn(conv, { activation, batchNorm: rng.uniform() < 0.5, hidden: [1 + rng.int(5)] });
      const shape = [1 + rng.int(2), 4 + rng.int(12), 4 + rng.int(12)];
      const issues = checkArchitecture(cfg, shape, 3);
      let error: unknown;
      try {
        const net = buildModel(cfg, shape, 3, new Rng(t));
        expect(countParams(cfg, shape, 3)).toBe(net.paramCount());
        built++;
      } catch (e) {
        error = e;
      }
      expect(issues.length === 0, `${JSON.stringify(cfg.conv)} on [${shape}]: ${issues[0]?.message ?? String(error)}`).toBe(error === undefined);
    }
    expect(built).toBeGreaterThan(30);
  });
});
