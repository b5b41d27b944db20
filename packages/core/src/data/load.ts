import type { DatasetConfig } from "@hps/contracts";
import { UnknownNameError } from "../unknown-name-error.ts";
import { Rng } from "../rng.ts";
import type { Dataset } from "./dataset.ts";
import { loadMnist } from "./mnist.ts";
import { preprocess } from "./preprocess.ts";
import { loadSpiral } from "./spiral.ts";

type Loader = (cfg: DatasetConfig, rng: Rng) => Dataset;

/** Dataset name → loader (registry; unknown names throw). */
const LOADERS: Record<string, Loader> = {
  spiral: (cfg, rng) => loadSpiral(cfg.trainSize, cfg.valSize, cfg.classes, rng),
  mnist: (cfg, rng) => loadMnist(cfg.trainSize, cfg.valSize, rng),
};

/**
 * The dataset of a trial, split and preprocessed. Deterministic in (cfg, seed): the split and the
 * spiral noise draw from Rng(seed).fork(1), which no other part of training uses.
 */
export function loadDataset(cfg: DatasetConfig, seed: number): Dataset {
  const loader = Object.hasOwn(LOADERS, cfg.name) ? LOADERS[cfg.name] : undefined;
  if (!loader) throw new UnknownNameError("dataset", cfg.name, Object.keys(LOADERS));
  const raw = loader(cfg, new Rng(seed).fork(1));
  return preprocess(raw, cfg.preprocess, cfg.pcaComponents);
}

/**
 * A small per-thread cache of prepared datasets keyed by (dataset config, seed): the trials of one
 * search share their data, so the split, the pca eigen-decomposition (~1 s for mnist) and the
 * mnist parse are paid once per worker thread. Holds at most `capacity` datasets (LRU).
 * Cached arrays are shared: training never writes into them.
 */
export class DatasetCache {
  private readonly entries = new Map<string, Dataset>();

  constructor(readonly capacity = 4) {}

  get(cfg: DatasetConfig, seed: number): Dataset {
    const key = JSON.stringify([seed, cfg.name, cfg.trainSize, cfg.valSize, cfg.preprocess, cfg.pcaComponents ?? null, cfg.classes]);
    let ds = this.entries.get(key);
    if (ds) {
      this.entries.delete(key);
    } else {
      ds = loadDataset(cfg, seed);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, ds);
    return ds;
  }
}

/** The cache `train` uses when hooks bring no data of their own (one per thread: module state). */
export const defaultDatasetCache = new DatasetCache();
