import { TrialConfig, type TrialConfigInput } from "@hps/contracts";
import { describe, expect, it } from "vitest";
import { loadRawDataset } from "../data/load.ts";
import { encodeModelFile, loadModel } from "../model/model-file.ts";
import { train } from "./train.ts";

const ID = "00000000-0000-4000-8000-000000000000";

/**
 * A stored trial (the worker's artifact: a model file) carries the preprocessing its first layer was
 * trained on. A fine-tune trial must feed it inputs preprocessed the same way — not with statistics
 * refitted on its own train split (for pca a different basis, so the loaded weights would read noise).
 */
describe("fine-tuning from a stored model file", () => {
  const dataset = { name: "mnist", trainSize: 300, valSize: 200, preprocess: "pca", pcaComponents: 30 } as const;
  const source = TrialConfig.parse({ seed: 1, dataset, model: { hidden: [32] }, training: { epochs: 12, batchSize: 50, optimizer: "adam", learningRate: 3e-3 } });
  const stored = train(source);
  const file = encodeModelFile({ model: source.model, inputShape: [1, 28, 28], labels: Array.from({ length: 10 }, (_, i) => String(i)), preprocessing: stored.preprocessing!, params: stored.params });
  // Another seed: another split of mnist, whose own pca basis differs from the stored one.
  const tune = (over: Partial<TrialConfigInput["dataset"]> = {}) =>
    TrialConfig.parse({ seed: 2, dataset: { ...dataset, ...over }, model: { hidden: [32], initFrom: { trialId: ID } }, training: { epochs: 1, batchSize: 300, optimizer: "sgd", learningRate: 1e-12 } });

  it("preprocesses the new data with the stored trial's statistics: an unmoved fine-tune scores as the stored model does", () => {
    const raw = loadRawDataset(tune().dataset, 2);
    const { predictions } = loadModel(file).predict(raw.valX);
    const storedAccuracy = predictions.filter((p, i) => p === raw.valY[i]).length / raw.valY.length;
    expect(storedAccuracy).toBeGreaterThan(0.5);
    const r = train(tune(), { initialParams: file });
    expect(r.metrics.valAccuracy).toBeCloseTo(storedAccuracy, 6);
    // Its own model file keeps the stored statistics (the ones its first layer reads).
    expect(Array.from(r.preprocessing!.projection!)).toEqual(Array.from(stored.preprocessing!.projection!));
  });

  it("refuses a dataset.preprocess other than the stored trial's", () => {
    expect(() => train(tune({ preprocess: "zero_center", pcaComponents: undefined }), { initialParams: file })).toThrow(/dataset.preprocess.*pca/);
  });
});
