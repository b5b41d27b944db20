/**
 * The test kit of @hps/db (import "@hps/db/test-kit"; not part of the production surface):
 * a fresh, migrated database per test file on the real Postgres named by DATABASE_URL
 * (resolved once per run by scripts/test-services.ts), so test files run in parallel without
 * seeing each other's rows — and `rows`, which seeds and inspects rows directly, for tests
 * that need a state no public path produces (a trial stalled mid-run, a finished trial the
 * worker never ran). Tests outside packages/db never see Prisma or pg.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TrialStatus } from "@hps/contracts";
import { closeConn, openConn, type Conn } from "./connection.ts";
import { createDb, type Db } from "./db.ts";
import type { EpochMetric, Prisma, Round, RoundEdit, Search, Trial, TrialArtifact } from "./generated/client.ts";
import { migrate } from "./migrate.ts";
import { packArtifact, unpackArtifact } from "./artifact-codec.ts";

/** Rows as stored (camelCase columns; Json columns as parsed JSON). */
export type SearchRecord = Search;
export type TrialRecord = Trial;
export type RoundRecord = Round;
export type RoundEditRecord = RoundEdit;
export type EpochRecord = EpochMetric;
export type ArtifactRecord = TrialArtifact;

export interface TrialFilter {
  searchId?: string;
  searchIds?: readonly string[];
  /** true: handed to the queue (enqueued_at set); false: never enqueued. */
  enqueued?: boolean;
  ids?: readonly string[];
  status?: TrialStatus | readonly TrialStatus[];
  round?: number;
  index?: number;
  /** null: trials without a rank. */
  rank?: number | null;
}

/** A trial as seedTrials inserts it (index = its position within its round). */
export interface SeedTrial {
  status: TrialStatus;
  round?: number;
  rank?: number | null;
  valAccuracy?: number | null;
  epochs?: number;
  updatedAt?: Date;
}

type Patch<T> = { [K in keyof T]?: T[K] extends Prisma.JsonValue ? unknown : T[K] };

export interface TestRows {
  insertSearch(s?: Patch<Omit<SearchRecord, "id">>): Promise<string>;
  insertTrial(t: { searchId: string } & Patch<Omit<TrialRecord, "id" | "searchId">>): Promise<string>;
  /** Inserts trials as the scheduler and workers would leave them; returns their ids in order. */
  seedTrials(searchId: string, trials: readonly SeedTrial[]): Promise<string[]>;
  /** Stores a model for a trial the way finishTrial does (compressed). */
  insertArtifact(trialId: string, data: Uint8Array, format?: string): Promise<void>;
  countArtifacts(searchId: string): Promise<number>;
  insertRound(r: { searchId: string; index: number; space: unknown; plannedTrials: number }): Promise<void>;
  /**
   * Bulk seed for benchmarks: `n` final trials in one statement (round = i % rounds; ~90%
   * completed with objective = valAccuracy, the rest stopped; a learning rate per trial;
   * ranked by objective), as a finished search would hold them.
   */
  seedManyFinished(searchId: string, n: number, rounds?: number): Promise<void>;
  insertEpoch(e: { trialId: string; epoch: number } & Patch<Omit<EpochRecord, "trialId" | "epoch" | "createdAt">>): Promise<void>;
  search(id: string): Promise<SearchRecord>;
  searches(order?: "created"): Promise<SearchRecord[]>;
  rounds(searchId: string): Promise<RoundRecord[]>;
  /** The rounds the user appended (POST /v1/searches/:id/rounds), by index. */
  roundEdits(searchId: string): Promise<RoundEditRecord[]>;
  trial(id: string): Promise<TrialRecord & { artifact: (Omit<ArtifactRecord, "data"> & { data: Uint8Array; storedBytes: number }) | null }>;
  /** Matching trials in (round, index) order, or by rank (nulls last) then (round, index). */
  trials(where?: TrialFilter, order?: "index" | "rank"): Promise<TrialRecord[]>;
  countTrials(where?: TrialFilter): Promise<number>;
  /** Rows per table (what a refused request must leave unchanged). */
  counts(): Promise<{ searches: number; rounds: number; trials: number }>;
  /** Stored datasets (what a refused upload must leave unchanged). */
  countDatasets(): Promise<number>;
  curve(trialId: string): Promise<EpochRecord[]>;
  countCurve(trialId: string): Promise<number>;
  updateSearch(id: string, patch: Patch<Omit<SearchRecord, "id">>): Promise<void>;
  updateSearches(ids: readonly string[], patch: Patch<Omit<SearchRecord, "id">>): Promise<void>;
  updateTrials(where: TrialFilter, patch: Patch<Omit<TrialRecord, "id" | "searchId">>): Promise<number>;
}

export interface TestDatabase {
  url: string;
  /** The production handle on this database (what services get from createDb). */
  db: Db;
  rows: TestRows;
  /** The connection beneath `rows`: for packages/db's own tests only. */
  conn: Conn;
  drop(): Promise<void>;
}

export async function createTestDatabase(opts: { poolSize?: number } = {}): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("DATABASE_URL is not set: run tests through vitest (scripts/test-services.ts resolves it)");
  const name = `hps_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(base, `CREATE DATABASE "${name}"`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  const conn = openConn({ url, poolSize: opts.poolSize ?? 3 });
  const db = createDb({ url, poolSize: opts.poolSize ?? 5 });
  return {
    url,
    db,
    conn,
    rows: testRows(conn),
    drop: async () => {
      await db.close();
      await closeConn(conn);
      await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

function whereOf(f: TrialFilter = {}): Prisma.TrialWhereInput {
  return {
    ...(f.searchId !== undefined ? { searchId: f.searchId } : {}),
    ...(f.searchIds ? { searchId: { in: [...f.searchIds] } } : {}),
    ...(f.enqueued !== undefined ? { enqueuedAt: f.enqueued ? { not: null } : null } : {}),
    ...(f.ids ? { id: { in: [...f.ids] } } : {}),
    ...(f.status !== undefined ? { status: typeof f.status === "string" ? f.status : { in: [...f.status] } } : {}),
    ...(f.round !== undefined ? { round: f.round } : {}),
    ...(f.index !== undefined ? { index: f.index } : {}),
    ...(f.rank !== undefined ? { rank: f.rank } : {}),
  };
}

// Patches carry parsed JSON where Prisma wants its input JSON type: the same values.
const data = (patch: object): never => patch as never;

function testRows(c: Conn): TestRows {
  const p = c.prisma;
  return {
    insertSearch: async (s = {}) =>
      (await p.search.create({ data: data({ name: "test", spec: {}, plannedTrials: 1, ...s }) })).id,
    insertTrial: async (t) => (await p.trial.create({ data: data({ round: 0, index: 0, params: {}, config: {}, ...t }) })).id,
    seedManyFinished: async (searchId, n, rounds = 1) => {
      await p.$executeRaw`
        INSERT INTO trials (id, search_id, round, index, params, config, status, stop_reason, attempts, epochs, initial_loss,
                            train_accuracy, val_accuracy, objective, started_at, finished_at, updated_at)
        SELECT gen_random_uuid(), ${searchId}::uuid, g % ${rounds}, g / ${rounds},
               jsonb_build_object('training.learningRate', power(10, -4 + 4 * random()), 'model.hidden', jsonb_build_array(16 * (1 + g % 3))),
               '{}'::jsonb, CASE WHEN g % 10 = 9 THEN 'stopped' ELSE 'completed' END::"TrialStatus",
               CASE WHEN g % 10 = 9 THEN 'loss_exploded' END, 1, 3, 1.1, 0.5 + random() / 2, v, CASE WHEN g % 10 = 9 THEN NULL ELSE v END,
               now() - interval '1 hour', now() - make_interval(secs => (${n} - g)::float8 / 100), now()
        FROM generate_series(0, ${n} - 1) g, LATERAL (SELECT 0.3 + random() / 2 AS v) x`;
      await p.$executeRaw`
        UPDATE trials t SET rank = r.rank FROM (
          SELECT id, row_number() OVER (ORDER BY objective DESC, round, index)::int AS rank FROM trials WHERE search_id = ${searchId}::uuid AND objective IS NOT NULL
        ) r WHERE t.id = r.id`;
    },
    seedTrials: async (searchId, trials) => {
      const ids: string[] = [];
      const perRound = new Map<number, number>();
      for (const t of trials) {
        const round = t.round ?? 0;
        const index = perRound.get(round) ?? 0;
        perRound.set(round, index + 1);
        const finished = t.status !== "queued" && t.status !== "running";
        const row = await p.trial.create({
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
    },
    insertArtifact: async (trialId, bytes, format = "hps-model") => {
      await p.trialArtifact.create({ data: { trialId, format, data: new Uint8Array(await packArtifact(bytes)) } });
    },
    countArtifacts: (searchId) => p.trialArtifact.count({ where: { trial: { searchId } } }),
    insertRound: async (r) => {
      await p.round.create({ data: data({ narrowing: {}, ...r }) });
    },
    insertEpoch: async (e) => {
      await p.epochMetric.create({ data: data(e) });
    },
    search: (id) => p.search.findUniqueOrThrow({ where: { id } }),
    searches: () => p.search.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
    rounds: (searchId) => p.round.findMany({ where: { searchId }, orderBy: { index: "asc" } }),
    roundEdits: (searchId) => p.roundEdit.findMany({ where: { searchId }, orderBy: { index: "asc" } }),
    trial: async (id) => {
      const t = await p.trial.findUniqueOrThrow({ where: { id }, include: { artifact: true } });
      // The artifact as its format defines it (stored gzip-compressed: artifact-codec.ts); storedBytes as stored.
      const artifact = t.artifact ? { ...t.artifact, storedBytes: t.artifact.data.length, data: await unpackArtifact(Buffer.from(t.artifact.data)) } : null;
      return { ...t, artifact };
    },
    trials: (where, order = "index") =>
      p.trial.findMany({
        where: whereOf(where),
        orderBy: order === "rank" ? [{ rank: { sort: "asc", nulls: "last" } }, { round: "asc" }, { index: "asc" }] : [{ round: "asc" }, { index: "asc" }],
      }),
    countTrials: (where) => p.trial.count({ where: whereOf(where) }),
    counts: async () => {
      const [searches, rounds, trials] = await Promise.all([p.search.count(), p.round.count(), p.trial.count()]);
      return { searches, rounds, trials };
    },
    countDatasets: () => p.dataset.count(),
    curve: (trialId) => p.epochMetric.findMany({ where: { trialId }, orderBy: { epoch: "asc" } }),
    countCurve: (trialId) => p.epochMetric.count({ where: { trialId } }),
    updateSearch: async (id, patch) => {
      await p.search.update({ where: { id }, data: data(patch) });
    },
    updateSearches: async (ids, patch) => {
      await p.search.updateMany({ where: { id: { in: [...ids] } }, data: data(patch) });
    },
    updateTrials: async (where, patch) => (await p.trial.updateMany({ where: whereOf(where), data: data(patch) })).count,
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** `rows` on an existing database (benchmarks and end-to-end checks of a running stack). */
export function inspectDatabase(url: string): { rows: TestRows; close(): Promise<void> } {
  const conn = openConn({ url, poolSize: 2 });
  return { rows: testRows(conn), close: () => closeConn(conn) };
}
