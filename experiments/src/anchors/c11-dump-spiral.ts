/**
 * Writes claim 11's spiral splits (60 and 90 train points, 1000 val, seeds 100 and 0–2, as train()
 * gets them) as raw float32/int32 files c11-spiral-N-SEED-{trainX,trainY,valX,valY}.bin into DIR
 * (default /tmp), for the PyTorch anchor `c11-torch.py spiral`.
 * `pnpm exec tsx experiments/src/anchors/c11-dump-spiral.ts [DIR]`
 */
import { TrialConfig } from "@hps/contracts";
import { defaultDatasetCache } from "@hps/core";
import { writeFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2] ?? "/tmp";
for (const n of [60, 90]) {
  for (const seed of [100, 0, 1, 2]) {
    const c = TrialConfig.parse({ seed, dataset: { name: "spiral", trainSize: n, valSize: 1000 } });
    const d = defaultDatasetCache.get(c.dataset, c.seed);
    for (const [k, v] of Object.entries({ trainX: d.trainX, trainY: d.trainY, valX: d.valX, valY: d.valY })) {
      writeFileSync(path.join(dir, `c11-spiral-${n}-${seed}-${k}.bin`), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    }
  }
}
