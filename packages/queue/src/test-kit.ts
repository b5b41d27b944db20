/** Helpers for this package's tests (not exported from index.ts). */
import { randomUUID } from "node:crypto";
import type { TrialJob } from "@hps/contracts";

export const job = (): TrialJob => ({ trialId: randomUUID(), searchId: randomUUID() });

/** Polls `cond` every 10 ms until it holds; rejects after `timeoutMs` with `what`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
