/**
 * Your data, your model, end to end: a CSV uploaded through the API, a search on it through the
 * scheduler and a worker process, the best model downloaded and used (its predictions on rows
 * the service never saw match its validation accuracy within noise), an ensemble, and the `hps`
 * CLI driving a YAML spec with --follow.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HpsApiError, HpsClient } from "@hps/client";
import { loadModel, Rng } from "@hps/core";
import { dumpLogs, ROOT, startCluster, type Cluster } from "./support.ts";

/** Three overlapping gaussian blobs in 4-D, string labels: a table nobody would get 100% on. */
function blobs(n: number, seed: number): { rows: number[][]; labels: string[] } {
  const rng = new Rng(seed);
  const centres = [[0, 0, 0, 0], [2, 0, 1, 0], [0, 2, 0, 1]];
  const rows: number[][] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    rows.push(centres[k]!.map((c) => c + rng.normal() * 0.9));
    labels.push(["alpha", "beta", "gamma"][k]!);
  }
  return { rows, labels };
}

const toCsv = (d: { rows: number[][]; labels: string[] }) => `f1,f2,f3,f4,kind\n${d.rows.map((r, i) => `${r.map((v) => v.toFixed(5)).join(",")},${d.labels[i]}`).join("\n")}\n`;

function hps(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "packages/cli/bin/hps.mjs"), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

describe("e2e: upload → search → model → predict → ensemble; the hps CLI", () => {
  let c: Cluster;
  let client: HpsClient;
  let dir: string;
  let datasetId: string;
  beforeAll(async () => {
    c = await startCluster({ workers: 1 });
    client = new HpsClient({ baseUrl: c.base });
    dir = await mkdtemp(join(tmpdir(), "hps-e2e-data-"));
  });
  afterAll(async () => {
    await c?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const spec = (name: string) => ({
    name,
    seed: 5,
    dataset: { name: "uploaded", id: datasetId, trainSize: 500, valSize: 200, preprocess: "normalize" },
    model: { hidden: [16] },
    training: { epochs: 15, batchSize: 32, optimizer: "adam", learningRate: 0.01 },
    space: { "training.learningRate": { type: "loguniform", low: 0.001, high: 0.05 }, "model.hidden": { type: "choice", values: [[8], [16], [32]] } },
    strategy: { type: "random", trials: 5, parallelism: 2 },
  });

  it("trains on an uploaded CSV and serves a model whose predictions on unseen rows match its val accuracy", async () => {
    const uploaded = await client.uploadDataset(toCsv(blobs(700, 1)), { name: "blobs", label: "kind" });
    expect(uploaded).toMatchObject({ rows: 700, features: 4, classes: 3, labels: ["alpha", "beta", "gamma"] });
    datasetId = uploaded.id;

    const created = await client.submitSearch(spec("uploaded-blobs") as never);
    let search = created;
    try {
      for (let i = 0; i < 600 && !["completed", "failed", "cancelled"].includes(search.status); i++) {
        await new Promise((r) => setTimeout(r, 250));
        search = await client.getSearch(created.id);
      }
    } catch (e) {
      throw new Error(`${String(e)}\n${dumpLogs(c.procs())}`);
    }
    expect(search.status, dumpLogs(c.procs())).toBe("completed");
    const best = search.best!;
    const valAccuracy = best.metrics!.valAccuracy!;
    expect(valAccuracy).toBeGreaterThan(0.6);

    // The downloaded model, loaded in TypeScript, and the API's predictions agree; on 300 rows never uploaded
    // the accuracy is the validation accuracy within noise (σ of each ≈ 0.02–0.03 here).
    const file = await client.getModel(best.id);
    const model = loadModel(file);
    expect(model.labels).toEqual(["alpha", "beta", "gamma"]);
    const held = blobs(300, 99);
    const api = await client.predict(best.id, held.rows);
    expect(Array.from(model.predict(held.rows).predictions)).toEqual(api.predictions);
    expect(api.labels[0]).toBe(model.labels[api.predictions[0]!]);
    expect(api.probabilities[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const heldAccuracy = api.labels.filter((l, i) => l === held.labels[i]).length / held.rows.length;
    expect(Math.abs(heldAccuracy - valAccuracy)).toBeLessThan(0.12);

    // A row of the wrong width is named; a trial without a model is a 404.
    const wrong = await client.predict(best.id, [[1, 2, 3, 4], [1, 2, 3]]).catch((e: unknown) => e as HpsApiError);
    expect(wrong).toBeInstanceOf(HpsApiError);
    expect((wrong as HpsApiError).status).toBe(400);
    expect((wrong as HpsApiError).body!.issues![0]!.path).toBe("inputs.1");
    const none = await client.getModel("00000000-0000-4000-8000-00000000abcd").catch((e: unknown) => e as HpsApiError);
    expect((none as HpsApiError).status).toBe(404);

    // The ensemble of the top 3 on the same validation split; its best single member is the best trial.
    const ens = await client.ensemble(search.id, 3);
    expect(ens.members).toHaveLength(3);
    expect(ens.members[0]).toBe(best.id);
    expect(ens.bestSingleValAccuracy).toBe(valAccuracy);
    expect(ens.valAccuracy).toBeGreaterThan(0.5);
  }, 240_000);

  it("the CLI: datasets upload errors with paths; submit a YAML spec --follow exits 0 when it completes; trials --top; model -o", async () => {
    const env = { HPS_URL: c.base };
    const bad = join(dir, "bad.csv");
    await writeFile(bad, "a,b,kind\n1,2,x\n1,oops,y\n");
    const refused = await hps(["datasets", "upload", bad, "--label", "kind"], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/row 2\.b: feature "oops" is not a finite number/);

    const yamlSpec = join(dir, "spec.yaml");
    const s = spec("cli-yaml");
    await writeFile(
      yamlSpec,
      `name: cli-yaml
seed: 5
dataset: {name: uploaded, id: ${datasetId}, trainSize: 500, valSize: 200, preprocess: normalize}
model: {hidden: [8]}
training: {epochs: 5, batchSize: 32, optimizer: adam, learningRate: 0.01}
space:
  training.learningRate: {type: loguniform, low: 0.001, high: 0.05}
strategy: {type: random, trials: 3, parallelism: 2}
`,
    );
    expect(s.dataset.id).toBe(datasetId);
    const followed = await hps(["submit", yamlSpec, "--follow"], env);
    expect(followed.code, followed.out + followed.err + dumpLogs(c.procs())).toBe(0);
    expect(followed.out).toMatch(/3\/3 trials/);
    const id = /search ([0-9a-f-]{36}) completed/.exec(followed.out)![1]!;

    const badSpec = join(dir, "bad.yaml");
    await writeFile(badSpec, "dataset: {name: uploaded, id: " + datasetId + ", trainSize: 600, valSize: 200}\nstrategy: {type: random, trials: 1}\n");
    const tooBig = await hps(["submit", badSpec], env);
    expect(tooBig.code).toBe(1);
    expect(tooBig.err).toMatch(/dataset\.trainSize: trainSize 600 \+ valSize 200 = 800 exceeds the 700 rows/);

    const top = await hps(["trials", id, "--top", "1"], env);
    expect(top.code).toBe(0);
    const bestId = top.out.trim().split("\t")[1]!;
    const modelFile = join(dir, "best.hpsm");
    expect((await hps(["model", bestId, "-o", modelFile], env)).code).toBe(0);
    const { readFile } = await import("node:fs/promises");
    expect(loadModel(new Uint8Array(await readFile(modelFile))).classes).toBe(3);
  }, 240_000);
});
