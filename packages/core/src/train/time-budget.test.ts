import { describe, expect, it } from "vitest";
import { TrialConfig } from "@hps/contracts";
import { StopRules } from "./stop-rules.ts";
import { train } from "./train.ts";

describe("training.maxSeconds", () => {
  it("StopRules answers timeout on the first batch past the deadline, not before", () => {
    let t = 0;
    const rules = new StopRules(3, 2, () => t);
    expect(rules.check(1)).toBeNull();
    t = 1999;
    expect(rules.check(1)).toBeNull();
    t = 2001;
    expect(rules.check(1)).toBe("timeout");
  });

  it("stops a long trial as timeout, keeping the curve of the epochs it finished", () => {
    const config = TrialConfig.parse({
      seed: 1,
      dataset: { name: "spiral", trainSize: 1000, valSize: 300 },
      model: { hidden: [256, 256] }, // 1,000 epochs of 1,000 samples through a 256-256 net at batch 10: ~0.4 TFLOP, tens of seconds on a fast idle core, far past 2 s; one epoch (~0.4 GFLOP) fits in 2 s even on a heavily shared one
      training: { epochs: 1000, batchSize: 10, learningRate: 0.05, maxSeconds: 2 },
    });
    const r = train(config);
    expect(r).toMatchObject({ status: "stopped", stopReason: "timeout" });
    expect(r.curve.length).toBeGreaterThan(0);
    expect(r.curve.length).toBe(r.metrics.epochs);
    expect(r.curve.length).toBeLessThan(1000);
  });
});
