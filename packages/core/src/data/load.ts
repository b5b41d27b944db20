import type { DatasetConfig } from "@hps/contracts";
import { UnknownNameError } from "../unknown-name-error.ts";
import { Rng } from "../rng.ts";
import type { Dataset } from "./dataset.ts";
import { loadMnist } from "./mnist.ts";
import { preprocess } from "./preprocess.ts";
import { loadSpiral } from "./spiral.ts";
import { type DataSource, loadUploaded } from "./uploaded.ts";

type Loader = (cfg: DatasetConfig, rng: Rng, source?: DataSource) => Dataset;

/** Dataset name → loader (registry; unknown names throw). */
const LOADERS: Record<string, Loader> = {
  spiral: (cfg, rng) => loadSpiral(cfg.trainSize, cfg.valSize, cfg.classes, rng),
  mnist: (cfg, rng) => loadMnist(cfg.trainSize, cfg.valSize, rng),
  uploaded: (cfg, rng, source) => {
    if (!source) throw new RangeError(`dataset "uploaded" (${cfg.id}) needs its rows (a DataSource)`);
    return loadUploaded(source, cfg.trainSize, cfg.valSize, rng);
  },
};

/** The split of a trial's dataset before preprocessing (an ensemble evaluates raw val rows through each member's own preprocessing). */
export function loadRawDataset(cfg: DatasetConfig, seed: number, source?: DataSource): Dataset {
  const loader = Object.hasOwn(LOADERS, cfg.name) ? LOADERS[cfg.name] : undefined;
  if (!loader) throw new UnknownNameError("dataset", cfg.name, Object.keys(LOADERS));
  return loader(cfg, new Rng(seed).fork(1), source);
}

/**
 * The dataset of a trial, split and preprocessed. Deterministic in (cfg, seed, source): the split
 * and the spiral noise draw from Rng(seed).fork(1), which no other part of training uses.
 */
export function loadDataset(cfg: DatasetConfig, seed: number, source?: DataSource): Dataset {
  return preprocess(loadRawDataset(cfg, seed, source), cfg.preprocess, cfg.pcaComponents);
}

/**
 * A small per-thread cache of prepared datasets keyed by (dataset config, seed, source key): the
 * trials of one search share their data, so the split, the pca eigen-decomposition (~1 s for
 * mnist) and the mnist parse are paid once per worker thread. Holds at most `capacity` datasets
 * (LRU). Cached arrays are shared: training never writes into them.
 */
export class DatasetCache {
  private readonly entries = new Map<string, Dataset>();

  constructor(readonly capacity = 4) {}

  get(cfg: DatasetConfig, seed: number, source?: DataSource): Dataset {
    const key = JSON.stringify([seed, cfg.name, source?.key ?? null, cfg.trainSize, cfg.valSize, cfg.preprocess, cfg.pcaComponents ?? null, cfg.classes]);
    let ds = this.entries.get(key);
    if (ds) {
      this.entries.delete(key);
    } else {
      ds = loadDataset(cfg, seed, source);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, ds);
    return ds;
  }
}

/** The cache `train` uses when hooks bring no data of their own (one per thread: module state). */
export const defaultDatasetCache = new DatasetCache();
