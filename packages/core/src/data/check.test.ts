import { DatasetConfig, TrialConfig } from "@hps/contracts";
import { describe, expect, it } from "vitest";
import { train } from "../train/train.ts";
import { InvalidTrialConfigError, checkDataset, datasetShape } from "./check.ts";

const ds = (input: object) => DatasetConfig.parse(input);

describe("datasetShape / checkDataset", () => {
  it("gives the model's input shape without loading data", () => {
    expect(datasetShape(ds({ name: "spiral", classes: 5 }))).toEqual({ inputShape: [2], classes: 5 });
    expect(datasetShape(ds({ name: "mnist", preprocess: "normalize" }))).toEqual({ inputShape: [1, 28, 28], classes: 10 });
    expect(datasetShape(ds({ name: "mnist", preprocess: "whiten", pcaComponents: 50 }))).toEqual({ inputShape: [50], classes: 10 });
    expect(datasetShape(ds({ name: "mnist", preprocess: "pca" })).inputShape).toEqual([784]);
  });

  it("reports impossible settings by path", () => {
    expect(checkDataset(ds({ name: "mnist", trainSize: 9000, valSize: 2000 }))).toEqual([
      { path: "dataset.trainSize", message: "trainSize + valSize = 11000 exceeds the 10000 mnist digits available" },
    ]);
    expect(checkDataset(ds({ name: "spiral", preprocess: "pca", pcaComponents: 3 }))[0].path).toBe("dataset.pcaComponents");
    expect(checkDataset(ds({ name: "mnist", preprocess: "whiten" }), { type: "cnn" })[0].path).toBe("dataset.preprocess");
    expect(checkDataset(ds({ name: "mnist", preprocess: "zero_center" }), { type: "cnn" })).toEqual([]);
  });

  it("makes train throw a typed error before any work", () => {
    const cfg = TrialConfig.parse({ dataset: { name: "mnist", trainSize: 60000, valSize: 10 } });
    expect(() => train(cfg)).toThrow(InvalidTrialConfigError);
    try {
      train(cfg);
    } catch (e) {
      expect((e as InvalidTrialConfigError).code).toBe("invalid_trial_config");
      expect((e as InvalidTrialConfigError).issues[0].path).toBe("dataset.trainSize");
    }
  });
});
