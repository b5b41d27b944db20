import type { ModelConfig } from "@hps/contracts";
import type { Sequential } from "../model/sequential.ts";
import type { Rng } from "../rng.ts";

/**
 * Fine-tuning (transfer learning, CS231n lecture 7): loads a stored model into the freshly built one,
 * then freezes `initFrom.freezeLayers` leading weight layers. Placeholder until Sequential.load lands.
 */
export function loadForFineTuning(
  model: Sequential, bytes: Uint8Array, cfg: ModelConfig, _inputShape: readonly number[], _classes: number, _rng: Rng,
): void {
  const m = model as unknown as { load?: (b: Uint8Array) => void };
  if (typeof m.load !== "function") throw new Error("fine-tuning: Sequential.load is not available yet");
  m.load(bytes);
  model.freeze(cfg.initFrom?.freezeLayers ?? 0);
}
