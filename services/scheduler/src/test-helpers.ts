/**
 * Test helpers of the scheduler: store a search the way the API does (searches row,
 * queued, spec with defaults; rounds row 0), finish trials the way a worker does, and
 * a dispatcher wrapper that records every job id it was asked to enqueue.
 */
import { SearchSpec, type SearchSpecInput, type TrialJob } from "@hps/contracts";
import type { Prisma, PrismaClient } from "@hps/db";
import { planSearch } from "@hps/search";
import type { TrialEnqueuer } from "./reconciler.ts";

export async function storeSearch(prisma: PrismaClient, input: SearchSpecInput): Promise<string> {
  const spec = SearchSpec.parse(input);
  const plan = planSearch(spec);
  const s = await prisma.search.create({
    data: {
      name: spec.name,
      spec: spec as Prisma.InputJsonValue,
      plannedTrials: plan.plannedTrials,
      rounds: { create: { index: 0, space: spec.space as Prisma.InputJsonValue, plannedTrials: plan.trialsPerRound } },
    },
  });
  return s.id;
}

/** What a worker writes when a trial ends. */
export async function finishTrial(
  prisma: PrismaClient,
  id: string,
  end: { status: "completed" | "stopped" | "failed"; valAccuracy?: number; stopReason?: string },
): Promise<void> {
  await prisma.trial.update({
    where: { id },
    data: {
      status: end.status,
      stopReason: end.stopReason ?? null,
      valAccuracy: end.valAccuracy ?? null,
      trainAccuracy: end.valAccuracy ?? null,
      initialLoss: 1.1,
      finalLoss: 0.5,
      epochs: 1,
      attempts: 1,
      finishedAt: new Date(),
    },
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
