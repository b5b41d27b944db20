/**
 * `pnpm bench:memory`: the pure memory estimate (@hps/core/checks estimateTrialMemory) beside the
 * peak RSS of a fresh process that trains the same config (each spec in its own child process,
 * so RSS peaks do not mix). Report, don't assert: RSS includes Node itself (~50–80 MB).
 *   pnpm bench:memory [--epochs 1]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TrialConfig, type TrialConfigInput } from "@hps/contracts";
import { estimateTrialMemory } from "@hps/core/checks";

const cnn = { type: "cnn" as const, conv: [0, 1, 2].map(() => ({ filters: 64, size: 3, pad: 1 })), hidden: [] };
export const SPECS: Record<string, TrialConfigInput> = {
  "mlp 784-512-512-10 b256 adam, mnist 8000": { dataset: { name: "mnist", trainSize: 8000, valSize: 1000 }, model: { hidden: [512, 512] }, training: { epochs: 1, batchSize: 256, optimizer: "adam" } },
  "cnn 3×conv3x3/64 b64 adam, mnist 1000": { dataset: { name: "mnist", trainSize: 1000, valSize: 500 }, model: cnn, training: { epochs: 1, batchSize: 64, optimizer: "adam" } },
  "cnn 3×conv3x3/64 b500 adam, mnist 1000": { dataset: { name: "mnist", trainSize: 1000, valSize: 500 }, model: cnn, training: { epochs: 1, batchSize: 500, optimizer: "adam" } },
};

if (process.argv[2] === "--child") {
  const { train } = await import("@hps/core");
  train(TrialConfig.parse(JSON.parse(process.argv[3]!)));
  console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
} else {
  const MB = 2 ** 20;
  console.log("spec | estimate MB | peak RSS MB | RSS / estimate");
  for (const [name, input] of Object.entries(SPECS)) {
    const config = TrialConfig.parse(input);
    const est = estimateTrialMemory(config).bytes / MB;
    const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", JSON.stringify(config)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
    const rss = JSON.parse(r.stdout.trim().split("\n").pop()!).maxRssKb / 1024;
    console.log(`${name} | ${est.toFixed(0)} | ${rss.toFixed(0)} | ${(rss / est).toFixed(2)}`);
  }
}
