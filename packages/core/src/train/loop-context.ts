import type { TrialConfig } from "@hps/contracts";
import type { PolyakAverage } from "./polyak.ts";
import type { TrialSetup } from "./setup.ts";
import type { StopRules } from "./stop-rules.ts";
import type { EpochReporter } from "./train.ts";

/** What both training loops receive from `train`. */
export interface LoopContext {
  config: TrialConfig;
  setup: TrialSetup;
  stops: StopRules;
  polyak: PolyakAverage | null;
  reporter: EpochReporter;
  shouldStop?: () => boolean;
}
