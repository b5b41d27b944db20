import { TrialConfig } from "@hps/contracts";
import { describe, expect, it } from "vitest";
import { loadRawDataset } from "../data/load.ts";
import { spiralPoints } from "../data/spiral.ts";
import type { DataSource } from "../data/uploaded.ts";
import { Rng } from "../rng.ts";
import { train } from "../train/train.ts";
import { ensembleAccuracy } from "./ensemble.ts";
import { decodeModelFile, encodeModelFile, loadModel, ModelInputError } from "./model-file.ts";

/** A 3-arm spiral as an "uploaded" table: rows in class order, like a CSV someone exported. */
function spiralSource(): DataSource {
  const { X, Y } = spiralPoints(200, 3, new Rng(3));
  return { key: "spiral-test", X, Y, inputShape: [2], classes: 3 };
}

const cfg = (preprocess: string, seed = 1, hidden = [32]) =>
  TrialConfig.parse({
    seed,
    dataset: { name: "uploaded", id: "00000000-0000-4000-8000-000000000001", trainSize: 450, valSize: 150, preprocess },
    model: { hidden },
    training: { epochs: 30, batchSize: 32, optimizer: "adam", learningRate: 0.01 },
  });

function modelOf(config: TrialConfig, source: DataSource) {
  const result = train(config, { source });
  const file = encodeModelFile({ model: config.model, inputShape: source.inputShape, labels: ["a", "b", "c"], preprocessing: result.preprocessing!, params: result.params });
  return { result, file };
}

describe("model file", () => {
  it.each(["normalize", "whiten"])("predicts raw val rows exactly as training evaluated them (%s)", (pre) => {
    const source = spiralSource();
    const config = cfg(pre);
    const { result, file } = modelOf(config, source);
    expect(result.metrics.valAccuracy).toBeGreaterThan(0.8);
    const raw = loadRawDataset(config.dataset, config.seed, source);
    const m = loadModel(file);
    expect(m.labels).toEqual(["a", "b", "c"]);
    const { predictions, probabilities } = m.predict(raw.valX);
    let correct = 0;
    for (let i = 0; i < predictions.length; i++) if (predictions[i] === raw.valY[i]) correct++;
    expect(correct / raw.valY.length).toBe(result.metrics.valAccuracy);
    const rowSum = probabilities[0]! + probabilities[1]! + probabilities[2]!;
    expect(rowSum).toBeCloseTo(1, 5);
  });

  it("is self-describing and versioned", () => {
    const { file } = modelOf(cfg("zero_center"), spiralSource());
    const { header } = decodeModelFile(file);
    expect(header).toMatchObject({ format: "hps-model", version: 1, inputShape: [2], classes: 3, preprocessing: { method: "zero_center", inputFeatures: 2 } });
    const bad = file.slice();
    bad[4] = 9;
    expect(() => loadModel(bad)).toThrow(/version 9/);
  });

  it("names the first row of the wrong width", () => {
    const m = loadModel(modelOf(cfg("none"), spiralSource()).file);
    expect(() => m.predict([[0, 1], [1, 2, 3]])).toThrow(ModelInputError);
    try {
      m.predict([[0, 1], [1, 2, 3]]);
    } catch (e) {
      expect((e as ModelInputError).row).toBe(1);
    }
  });

  it("an ensemble averages members' probabilities", () => {
    const source = spiralSource();
    const members = [1, 2, 3].map((seed) => loadModel(modelOf(cfg("normalize", 1, [8 * seed]), source).file));
    const raw = loadRawDataset(cfg("normalize").dataset, 1, source);
    const { accuracy, memberAccuracies } = ensembleAccuracy(members, raw.valX, raw.valY);
    expect(memberAccuracies).toHaveLength(3);
    expect(accuracy).toBeGreaterThanOrEqual(Math.min(...memberAccuracies));
    // one member is its own ensemble
    expect(ensembleAccuracy(members.slice(0, 1), raw.valX, raw.valY).accuracy).toBe(memberAccuracies[0]);
  });
});
