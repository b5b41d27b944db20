/**
 * Writes claim 11's dev-seed split (seed 100: 200 train, 1000 val mnist digits, as train() gets them)
 * as raw float32/int32 files into DIR (default /tmp), for the PyTorch anchor c11-torch.py.
 * `pnpm exec tsx experiments/src/anchors/c11-dump-digits.ts [DIR]`
 */
import { TrialConfig } from "@hps/contracts";
import { defaultDatasetCache } from "@hps/core";
import { writeFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2] ?? "/tmp";
const c = TrialConfig.parse({ seed: 100, dataset: { name: "mnist", trainSize: 200, valSize: 1000 } });
const d = defaultDatasetCache.get(c.dataset, c.seed);
for (const [k, v] of Object.entries({ trainX: d.trainX, trainY: d.trainY, valX: d.valX, valY: d.valY })) {
  writeFileSync(path.join(dir, `c11-${k}.bin`), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
}
