/**
 * The worker as a process (`tsx services/worker/src/main.ts`): SIGTERM hands a running trial
 * back and exits 0; after a SIGKILL the job is recovered as stalled by another process.
 * Also proves the training threads load TypeScript when the process is started by the tsx CLI.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrialConfigInput } from "@hps/contracts";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { BullDispatcher, deleteQueueKeys } from "@hps/queue";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const redisUrl = process.env.REDIS_URL ?? "";
const prefix = `hps-test-main-${randomBytes(5).toString("hex")}`;
let db: TestDatabase;
let dispatcher: BullDispatcher;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  db = await createTestDatabase();
  dispatcher = new BullDispatcher({ redisUrl, prefix });
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await dispatcher?.close();
  await deleteQueueKeys(redisUrl, prefix);
  await db?.drop();
});

const long: TrialConfigInput = {
  seed: 1,
  dataset: { name: "spiral", trainSize: 20000, valSize: 2000 },
  model: { hidden: [32] },
  training: { epochs: 1000, batchSize: 10, optimizer: "sgd", learningRate: 0.05 },
};

async function seed() {
  const searchId = await db.rows.insertSearch({ name: "m", status: "running", plannedTrials: 1, spec: {} });
  const trialId = await db.rows.insertTrial({ searchId, round: 0, index: 0, params: {}, config: long });
  return { searchId, trialId };
}

/**
 * `via: "tsx-cli"` runs `tsx main.ts` (the CLI relays signals to its node child); `"node"` runs
 * `node --import tsx main.ts`, so a SIGKILL reaches the worker itself (killing the CLI would orphan it).
 */
function startProcess(id: string, via: "tsx-cli" | "node"): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  let out = "";
  const [cmd, args] = via === "tsx-cli" ? [TSX, [MAIN]] : [process.execPath, ["--import", "tsx", MAIN]];
  const child = spawn(cmd, args, {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      HPS_QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: "1",
      WORKER_LOCK_MS: "1000",
      WORKER_SHUTDOWN_GRACE_MS: "200",
      HPS_WORKER_ID: id,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => (children.delete(child), res(code))));
  return { child, exited, output: () => out };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const trial = (id: string) => db.rows.trial(id);

describe("worker process (main.ts)", () => {
  it("SIGTERM: the running trial is handed back (queued, job waiting) and the process exits 0; SIGKILL: another process recovers the stalled job", async () => {
    const ids = await seed();
    await dispatcher.enqueue([ids]);
    const a = startProcess("proc-a", "tsx-cli");
    await until(() => trial(ids.trialId), (t) => t.status === "running" && t.epochs >= 1, `live progress (${a.output()})`);
    a.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await trial(ids.trialId)).toMatchObject({ status: "queued", workerId: null, attempts: 1 });
    expect(await dispatcher.depth()).toBe(1);
    expect(a.output()).toContain("trial handed back to the queue");

    const b = startProcess("proc-b", "node");
    await until(() => trial(ids.trialId), (t) => t.status === "running" && t.attempts === 2 && t.workerId === "proc-b", "the second claim");
    b.child.kill("SIGKILL");
    await b.exited;

    const c = startProcess("proc-c", "node"); // lock 1 s: the stalled check re-delivers within ~2 s
    await until(() => trial(ids.trialId), (t) => t.attempts === 3 && t.workerId === "proc-c", "stall recovery by proc-c");
    await db.rows.updateSearch(ids.searchId, { status: "cancelled" });
    expect(await until(() => trial(ids.trialId), (t) => t.status !== "running", "the cancelled trial")).toMatchObject({ status: "cancelled" });
    c.child.kill("SIGTERM");
    expect(await c.exited).toBe(0);
  });
});
