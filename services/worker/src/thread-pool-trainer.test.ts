import { describe, expect, it } from "vitest";
import { TrialConfig, type EpochMetrics } from "@hps/contracts";
import { ThreadPoolTrainer, TrainingThreadError } from "./thread-pool-trainer.ts";

const config = (training: object = {}) =>
  TrialConfig.parse({
    seed: 5,
    dataset: { name: "spiral", trainSize: 120, valSize: 30 },
    model: { hidden: [8] },
    training: { epochs: 3, batchSize: 20, optimizer: "sgd", learningRate: 0.3, ...training },
  });

describe("ThreadPoolTrainer", () => {
  it("trains in a thread, streams epochs, queues runs beyond its size, and matches a rerun bit for bit", async () => {
    const pool = new ThreadPoolTrainer({ size: 1 });
    try {
      const seen: EpochMetrics[] = [];
      const [a, b] = await Promise.all([pool.run(config(), { onEpoch: (m) => seen.push(m) }), pool.run(config(), {})]);
      expect(a.status).toBe("completed");
      expect(a.curve).toHaveLength(3);
      expect(seen).toEqual(a.curve);
      expect(b.curve).toEqual(a.curve); // same seed, same thread (cached dataset): deterministic
      expect(Buffer.from(a.params).equals(Buffer.from(b.params))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it("every thread selects the kernel path it is given before training, and the two paths train the same trial alike", async () => {
    const results = [];
    for (const kernelPath of ["simd128", "fma"] as const) {
      const pool = new ThreadPoolTrainer({ size: 2, kernelPath });
      try {
        const [r] = await Promise.all([pool.run(config(), {}), pool.run(config(), {})]);
        expect(r.status).toBe("completed");
        expect(pool.threadKernelPaths()).toEqual([kernelPath, kernelPath]);
        results.push(r);
      } finally {
        await pool.close();
      }
    }
    // FMA rounds once per multiply-add, so the curves agree closely but need not be bit-identical.
    const [a, b] = results as [typeof results[0], typeof results[0]];
    a.curve.forEach((m, i) => expect(Math.abs(m.trainLoss! - b.curve[i]!.trainLoss!)).toBeLessThan(1e-4));
  });

  it("an aborted signal stops training as cancelled", async () => {
    const pool = new ThreadPoolTrainer({ size: 1 });
    try {
      const ac = new AbortController();
      ac.abort();
      const r = await pool.run(config({ epochs: 1000 }), { signal: ac.signal });
      expect(r).toMatchObject({ status: "stopped", stopReason: "cancelled" });
      expect(r.metrics.epochs).toBeLessThan(1000);
    } finally {
      await pool.close();
    }
  });

  it("a thread that dies rejects its run with TrainingThreadError; the next run gets a fresh thread", async () => {
    const pool = new ThreadPoolTrainer({ size: 1 });
    try {
      let killed = false;
      const dying = pool.run(config({ epochs: 1000 }), {
        onEpoch: () => {
          if (killed) return;
          killed = true;
          // simulate a crash (OOM, native abort) of the thread that runs this trial
          const slots = (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots;
          void slots[0].worker.terminate();
        },
      });
      await expect(dying).rejects.toBeInstanceOf(TrainingThreadError);
      expect((await pool.run(config(), {})).status).toBe("completed");
    } finally {
      await pool.close();
    }
  });

  it("validates its size and refuses runs after close()", async () => {
    expect(() => new ThreadPoolTrainer({ size: 0 })).toThrow(/size=0/);
    const pool = new ThreadPoolTrainer({ size: 1 });
    await pool.close();
    await pool.close();
    await expect(pool.run(config(), {})).rejects.toThrow(/closed/);
  });
});
