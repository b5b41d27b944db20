/**
 * The scheduler tests' kit: store a search the way the API does, finish trials the way a
 * worker does (its stored objective included), and a dispatcher wrapper that records every
 * job id it was asked to enqueue.
 */
import { SearchSpec, type SearchSpecInput, type TrialJob } from "@hps/contracts";
import type { Db } from "@hps/db";
import type { TestRows } from "@hps/db/test-kit";
import { objectiveValue } from "@hps/search";
import type { TrialEnqueuer } from "./reconciler.ts";

export async function storeSearch(db: Db, input: SearchSpecInput): Promise<string> {
  return (await db.searches.create({ spec: SearchSpec.parse(input) })).id;
}

/** What a worker writes when a trial ends (the objective: valAccuracy, the tests' specs' metric). */
export async function finishTrial(
  rows: TestRows,
  id: string,
  end: { status: "completed" | "stopped" | "failed"; valAccuracy?: number; stopReason?: string; epochs?: number },
): Promise<void> {
  const metrics = { initialLoss: 1.1, finalLoss: 0.5, trainAccuracy: end.valAccuracy ?? null, valAccuracy: end.valAccuracy ?? null, valLoss: null, epochs: end.epochs ?? 1 };
  await rows.updateTrials({ ids: [id] }, {
    status: end.status,
    stopReason: end.stopReason ?? null,
    valAccuracy: end.valAccuracy ?? null,
    trainAccuracy: end.valAccuracy ?? null,
    initialLoss: 1.1,
    finalLoss: 0.5,
    epochs: end.epochs ?? 1,
    attempts: 1,
    objective: end.status === "completed" ? objectiveValue(metrics, { metric: "valAccuracy" }) : null,
    finishedAt: new Date(),
  });
}

/** Passes jobs on to a real dispatcher and remembers every trial id asked for (in order, repeats kept). */
export class RecordingDispatcher implements TrialEnqueuer {
  readonly asked: string[] = [];
  constructor(private readonly inner: TrialEnqueuer) {}
  async enqueue(jobs: readonly TrialJob[]): Promise<void> {
    await this.inner.enqueue(jobs);
    for (const j of jobs) this.asked.push(j.trialId);
  }
}
