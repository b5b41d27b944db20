/** Uploaded datasets reach training once per process: real Postgres, counted reads. */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TrialConfig } from "@hps/contracts";
import { encodeTable, type DataSource } from "@hps/core";
import type { Db } from "@hps/db";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { DatasetStore } from "./dataset-store.ts";
import { silentLogger } from "./logger.ts";
import { RunWatcher } from "./run-watcher.ts";
import type { Trainer } from "./trainer.ts";
import { createTrialHandler } from "./trial-handler.ts";

let t: TestDatabase;
let dir: string;
let datasetId: string;
let sha256: string;
/** The real db handle with its content reads counted. */
let counted: Pick<Db, "datasets"> & { contentReads: number };

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "hps-ds-test-"));
  const X = Float32Array.from({ length: 40 }, (_, i) => i / 40);
  const Y = Int32Array.from({ length: 20 }, (_, i) => i % 2);
  const content = encodeTable({ X, Y, rows: 20, features: 2, labels: ["no", "yes"], shape: null });
  sha256 = createHash("sha256").update(content).digest("hex");
  const created = await t.db.datasets.create({ name: "d", labelColumn: "y", rows: 20, features: 2, labels: ["no", "yes"], shape: null, sha256, bytes: 1, content });
  datasetId = created.dataset.id;
  counted = {
    contentReads: 0,
    datasets: { ...t.db.datasets, content: (s: string) => (counted.contentReads++, t.db.datasets.content(s)) },
  };
});
afterAll(async () => {
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

const cfg = () => TrialConfig.parse({ dataset: { name: "uploaded", id: datasetId, trainSize: 15, valSize: 5 }, model: { hidden: [4] } }).dataset;

describe("DatasetStore", () => {
  it("a thousand trials' lookups read the content once (memory), a new process reads the local folder, not Postgres", async () => {
    const store = new DatasetStore({ db: counted, dir });
    const before = counted.contentReads;
    const concurrent = await Promise.all(Array.from({ length: 500 }, () => store.get(cfg())));
    for (let i = 0; i < 500; i++) concurrent.push(await store.get(cfg()));
    expect(counted.contentReads - before).toBe(1);
    expect(store.reads).toEqual({ db: 1, disk: 0, meta: 1 });
    expect(new Set(concurrent.map((d) => d.source.X)).size).toBe(1); // one copy, shared
    expect(concurrent[0]!.source.X.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(concurrent[0]!.labels).toEqual(["no", "yes"]);

    const restarted = new DatasetStore({ db: counted, dir });
    await restarted.get(cfg());
    expect(restarted.reads).toEqual({ db: 0, disk: 1, meta: 1 });
    expect(counted.contentReads - before).toBe(1);
  });

  it("ignores a damaged cached file and fetches again", async () => {
    await writeFile(join(dir, `${sha256}.hpst`), "garbage");
    const store = new DatasetStore({ db: counted, dir });
    const d = await store.get(cfg());
    expect(store.reads).toMatchObject({ db: 1, disk: 0 });
    expect(d.source.Y.length).toBe(20);
  });

  it("the trial handler hands every trial the same cached rows (sequential trials through real claims)", async () => {
    const store = new DatasetStore({ db: counted });
    const seen: DataSource[] = [];
    const trainer: Trainer = {
      run: async (_config, hooks) => {
        seen.push(hooks.source!);
        return { status: "completed", stopReason: null, metrics: { initialLoss: 1, finalLoss: 1, trainAccuracy: 0.5, valAccuracy: 0.5, valLoss: 1, epochs: 1 }, curve: [], params: new Uint8Array(0) };
      },
    };
    const watcher = new RunWatcher(t.db, () => {}, 60_000);
    const handler = createTrialHandler({ db: t.db, datasets: store, trainer, watcher, workerId: "w", logger: silentLogger });
    const config = TrialConfig.parse({ dataset: { name: "uploaded", id: datasetId, trainSize: 15, valSize: 5 }, model: { hidden: [4] } });
    const searchId = await t.rows.insertSearch({ name: "s", status: "running", plannedTrials: 30, spec: {} });
    try {
      for (let i = 0; i < 30; i++) {
        const trialId = await t.rows.insertTrial({ searchId, round: 0, index: i, params: {}, config });
        await handler({ trialId, searchId }, { attempt: 1, lastAttempt: false, signal: new AbortController().signal, progress: () => {} });
      }
    } finally {
      watcher.close();
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen.map((s) => s.X)).size).toBe(1);
    expect(store.reads).toEqual({ db: 1, disk: 0, meta: 1 });
    expect(await t.rows.countTrials({ searchId, status: "completed" })).toBe(30);
  });
});
