/**
 * One behavioural suite over both TrialDispatcher/TrialConsumer implementations:
 * BullMQ on the real Redis (unique key prefix per test, deleted afterwards) and the
 * in-process queue.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { TrialJob } from "@hps/contracts";
import { BullConsumer } from "./bull-consumer.ts";
import { BullDispatcher } from "./bull-dispatcher.ts";
import { InProcessQueue } from "./in-process-queue.ts";
import { deleteQueueKeys } from "./redis-keys.ts";
import { deferred, job, waitFor } from "./test-kit.ts";
import { ConsumerShutdownError, type TrialConsumer, type TrialDispatcher, type TrialJobContext } from "./trial-queue.ts";

interface Pair {
  dispatcher: TrialDispatcher;
  consumer: TrialConsumer;
  /**
   * Who takes a job a closing consumer handed back: a second consumer on the same queue when
   * the transport outlives a consumer (BullMQ); otherwise the reason there is none.
   */
  redelivery: { to: "next-consumer"; next: () => TrialConsumer } | { to: "none"; why: string };
  cleanup(): Promise<void>;
}
type Factory = (o: { concurrency: number; attempts: number }) => Pair;

const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set (scripts/test-services.ts resolves it)");
  return url;
};

const bull: Factory = ({ concurrency, attempts }) => {
  const prefix = `hps-test-${randomBytes(6).toString("hex")}`;
  const dispatcher = new BullDispatcher({ redisUrl: redisUrl(), prefix, attempts, backoffMs: 10 });
  const consumers: BullConsumer[] = [];
  const make = () => {
    const c = new BullConsumer({ redisUrl: redisUrl(), prefix, concurrency });
    consumers.push(c);
    return c;
  };
  return {
    dispatcher,
    consumer: make(),
    redelivery: { to: "next-consumer", next: make },
    cleanup: async () => {
      await Promise.all(consumers.map((c) => c.close({ timeoutMs: 0 })));
      await dispatcher.close();
      await deleteQueueKeys(redisUrl(), prefix);
    },
  };
};

const inProcess: Factory = ({ concurrency, attempts }) => {
  const q = new InProcessQueue({ concurrency, attempts, backoffMs: 10 });
  return {
    dispatcher: q,
    consumer: q,
    redelivery: {
      to: "none",
      // Dispatcher and consumer are one object that lives and dies with its process: after
      // close() no consumer can exist on it. In the embedded mode a handed-back trial stays
      // `queued` in Postgres and the scheduler enqueues it again on its next start.
      why: "the in-process queue is its own only consumer and does not outlive close()",
    },
    cleanup: () => q.close({ timeoutMs: 0 }),
  };
};

describe.each([
  ["BullMQ", bull],
  ["in-process", inProcess],
] as const)("TrialDispatcher/TrialConsumer conformance: %s", (_name, factory) => {
  let pair: Pair | null = null;
  const setup = (o: { concurrency: number; attempts: number }) => (pair = factory(o));
  afterEach(async () => {
    await pair?.cleanup();
    pair = null;
  });

  it("delivers each job with its payload, attempt 1, and counts it in depth until done", async () => {
    const { dispatcher, consumer } = setup({ concurrency: 1, attempts: 3 });
    const a = job();
    const b = job();
    await dispatcher.enqueue([a, b]);
    expect(await dispatcher.depth()).toBe(2);
    const seen: Array<[TrialJob, TrialJobContext]> = [];
    consumer.start(async (j, ctx) => void seen.push([j, ctx]));
    await waitFor(() => seen.length === 2, "two deliveries");
    await waitFor(async () => (await dispatcher.depth()) === 0, "depth 0");
    expect(seen.map(([j]) => j)).toEqual([a, b]); // FIFO at concurrency 1
    expect(seen.map(([, c]) => c.attempt)).toEqual([1, 1]);
    expect(seen[0][1].lastAttempt).toBe(false);
    await dispatcher.ping();
  });

  it("enqueue is idempotent: the same trial enqueued twice (in one call and across calls) runs once", async () => {
    const { dispatcher, consumer } = setup({ concurrency: 1, attempts: 3 });
    const a = job();
    const last = job();
    await dispatcher.enqueue([a, a]);
    await dispatcher.enqueue([a]);
    expect(await dispatcher.depth()).toBe(1);
    await dispatcher.enqueue([last]);
    const seen: string[] = [];
    consumer.start(async (j) => void seen.push(j.trialId));
    await waitFor(() => seen.includes(last.trialId), "the last job");
    expect(seen).toEqual([a.trialId, last.trialId]);
  });

  it("rejects an invalid payload before enqueuing anything", async () => {
    const { dispatcher } = setup({ concurrency: 1, attempts: 1 });
    await expect(dispatcher.enqueue([job(), { trialId: "nope", searchId: "x" } as TrialJob])).rejects.toThrow();
    expect(await dispatcher.depth()).toBe(0);
  });

  it("never runs more than `concurrency` handlers at once", async () => {
    const { dispatcher, consumer } = setup({ concurrency: 2, attempts: 1 });
    await dispatcher.enqueue(Array.from({ length: 6 }, job));
    let started = 0;
    let active = 0;
    let max = 0;
    let done = 0;
    const gates: Array<() => void> = [];
    consumer.start(async (_j, ctx) => {
      started += 1;
      active += 1;
      max = Math.max(max, active);
      await new Promise<void>((r) => {
        gates.push(r);
        ctx.signal.addEventListener("abort", () => r(), { once: true }); // a failed test's cleanup ends it
      });
      active -= 1;
      done += 1;
    });
    // Release one handler at a time. Each release frees one slot, so exactly one more
    // delivery must follow it: wait for that delivery (an event, not a sleep) and check that
    // no other came with it. A wrong extra delivery has every cycle to show up in `max`.
    await waitFor(() => started >= 2, "two deliveries");
    for (let k = 0; k < 6; k++) {
      const expected = Math.min(k + 2, 6);
      await waitFor(() => started >= expected, `delivery ${expected}`);
      expect([started, active]).toEqual([expected, Math.min(2, 6 - k)]);
      gates.shift()!();
      await waitFor(() => done === k + 1, `handler ${k + 1} done`);
    }
    expect(max).toBe(2);
    await waitFor(async () => (await dispatcher.depth()) === 0, "depth 0");
  });

  it("retries a failing handler, then gives up after `attempts` deliveries and calls onGiveUp once", async () => {
    const { dispatcher, consumer } = setup({ concurrency: 1, attempts: 3 });
    const flaky = job();
    const broken = job();
    await dispatcher.enqueue([flaky, broken]);
    const calls: Record<string, Array<{ attempt: number; lastAttempt: boolean }>> = { [flaky.trialId]: [], [broken.trialId]: [] };
    const gaveUp: Array<[string, string]> = [];
    consumer.start(
      async (j, ctx) => {
        calls[j.trialId].push({ attempt: ctx.attempt, lastAttempt: ctx.lastAttempt });
        if (j.trialId === broken.trialId || ctx.attempt === 1) throw new Error(`boom ${ctx.attempt}`);
      },
      { onGiveUp: (j, err) => void gaveUp.push([j.trialId, err.message]) },
    );
    await waitFor(() => gaveUp.length === 1, "give-up of the broken job");
    await waitFor(async () => (await dispatcher.depth()) === 0, "depth 0");
    expect(calls[broken.trialId]).toEqual([
      { attempt: 1, lastAttempt: false },
      { attempt: 2, lastAttempt: false },
      { attempt: 3, lastAttempt: true },
    ]);
    expect(calls[flaky.trialId]).toEqual([
      { attempt: 1, lastAttempt: false },
      { attempt: 2, lastAttempt: false },
    ]);
    expect(gaveUp).toEqual([[broken.trialId, "boom 3"]]);
  });

  it("start() twice throws; close() is idempotent and waits for active handlers", async () => {
    const { dispatcher, consumer } = setup({ concurrency: 2, attempts: 1 });
    await dispatcher.enqueue([job(), job()]);
    let started = 0;
    let finished = 0;
    const release = deferred();
    const handler = async () => {
      started += 1;
      await release.promise;
      finished += 1;
    };
    consumer.start(handler);
    expect(() => consumer.start(handler)).toThrow(/twice/);
    await waitFor(() => started === 2, "two active handlers");
    const c1 = consumer.close();
    const c2 = consumer.close();
    setTimeout(() => release.resolve(), 100);
    await Promise.all([c1, c2]);
    expect(finished).toBe(2);
    await consumer.close();
    expect(() => consumer.start(handler)).toThrow();
  });

  it("close({timeoutMs}) aborts handlers still running after the grace period and hands their jobs back", async () => {
    const p = setup({ concurrency: 1, attempts: 1 });
    const a = job();
    await p.dispatcher.enqueue([a]);
    let reason: unknown = null;
    let handled = 0;
    const running = deferred();
    p.consumer.start(async (_j, ctx) => {
      handled += 1;
      running.resolve();
      await new Promise<void>((res) => ctx.signal.addEventListener("abort", () => res(), { once: true }));
      reason = ctx.signal.reason;
      throw ctx.signal.reason;
    });
    await running.promise;
    await p.consumer.close({ timeoutMs: 50 });
    expect(reason).toBeInstanceOf(ConsumerShutdownError);
    expect(await p.dispatcher.depth()).toBe(1); // back in the queue, not failed
    if (p.redelivery.to === "next-consumer") {
      // the hand-back used no attempt: with attempts 1 the next delivery is still allowed
      const next = p.redelivery.next();
      const got: TrialJobContext[] = [];
      next.start(async (j, ctx) => {
        expect(j).toEqual(a);
        got.push(ctx);
      });
      await waitFor(() => got.length === 1, "redelivery");
      expect(got[0].attempt).toBe(2);
      expect(got[0].lastAttempt).toBe(true);
    } else {
      // No redelivery to check (see `why` in the factory): the closed queue keeps the job
      // counted and never runs it again.
      expect(p.redelivery.why).not.toBe("");
      expect(handled).toBe(1);
    }
  });
});

describe("option validation", () => {
  it("names the bad option and value", () => {
    expect(() => new InProcessQueue({ concurrency: 0 })).toThrow(/concurrency=0/);
    expect(() => new BullDispatcher({ redisUrl: "http://x" })).toThrow(/redisUrl="http:\/\/x"/);
    expect(() => new BullConsumer({ redisUrl: redisUrl(), lockMs: 5 })).toThrow(/lockMs=5/);
    expect(() => new BullConsumer({ redisUrl: redisUrl(), prefix: "a b" })).toThrow(/prefix="a b"/);
  });
});
