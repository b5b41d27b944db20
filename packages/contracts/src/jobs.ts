import { z } from "zod";

/** Name of the BullMQ queue trials travel on. */
export const TRIAL_QUEUE = "hps-trials";

/** Payload of one trial job. The job id is the trial id, so enqueuing twice is a no-op. */
export const TrialJob = z.strictObject({
  trialId: z.uuid(),
  searchId: z.uuid(),
});
export type TrialJob = z.infer<typeof TrialJob>;
