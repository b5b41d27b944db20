/**
 * Test support for the API tests: an app built on a fresh test database (real Postgres),
 * a valid spec, row counts (to prove rejected requests stored nothing) and direct seeding
 * of trials/metrics through Prisma (what the scheduler and workers would write).
 */
import type { FastifyInstance } from "fastify";
import { createTestDatabase, type PrismaClient, type TestDatabase } from "@hps/db";
import type { TrialStatus } from "@hps/contracts";
import { buildApp, type ApiDeps } from "./app.ts";

export interface TestApi {
  app: FastifyInstance;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function createTestApi(deps: Omit<ApiDeps, "prisma"> = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  const app = await buildApp({ prisma: db.prisma, ...deps });
  return {
    app,
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

/** A small valid random search on the synthetic spiral data. */
export function validSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "spiral-lr",
    seed: 7,
    dataset: { name: "spiral", trainSize: 300, valSize: 60 },
    model: { type: "mlp", hidden: [32], activation: "relu" },
    training: { epochs: 2, batchSize: 32, optimizer: "sgd", learningRate: 0.1 },
    space: {
      "training.learningRate": { type: "loguniform", low: 0.0001, high: 1 },
      "model.hidden": { type: "choice", values: [[16], [32]] },
    },
    strategy: { type: "random", trials: 6, parallelism: 2 },
    objective: { metric: "valAccuracy", goal: "maximize" },
    ...overrides,
  };
}

export async function rowCounts(prisma: PrismaClient): Promise<{ searches: number; rounds: number; trials: number }> {
  const [searches, rounds, trials] = await Promise.all([prisma.search.count(), prisma.round.count(), prisma.trial.count()]);
  return { searches, rounds, trials };
}

export interface SeedTrial {
  status: TrialStatus;
  round?: number;
  rank?: number | null;
  valAccuracy?: number | null;
  epochs?: number;
  updatedAt?: Date;
}

/** Inserts trials for a search as the scheduler/worker would (index = position in the list unless several rounds). */
export async function seedTrials(prisma: PrismaClient, searchId: string, trials: SeedTrial[]): Promise<string[]> {
  const ids: string[] = [];
  const perRound = new Map<number, number>();
  for (const t of trials) {
    const round = t.round ?? 0;
    const index = perRound.get(round) ?? 0;
    perRound.set(round, index + 1);
    const finished = t.status !== "queued" && t.status !== "running";
    const row = await prisma.trial.create({
      data: {
        searchId,
        round,
        index,
        params: { "training.learningRate": 0.01 * (index + 1) },
        config: {},
        status: t.status,
        rank: t.rank ?? null,
        attempts: t.status === "queued" ? 0 : 1,
        epochs: t.epochs ?? (finished ? 2 : 0),
        valAccuracy: t.valAccuracy ?? null,
        objective: t.status === "completed" ? (t.valAccuracy ?? null) : null,
        initialLoss: finished ? 1.1 : null,
        startedAt: t.status === "queued" ? null : new Date(),
        finishedAt: finished ? new Date() : null,
        ...(t.updatedAt ? { updatedAt: t.updatedAt } : {}),
      },
    });
    ids.push(row.id);
  }
  return ids;
}
