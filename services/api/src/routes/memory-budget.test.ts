import { describe, expect, it } from "vitest";
import { postSearch, useTestApi, validSpec } from "../test-kit.ts";

/** The hardening issue's CNN: mnist 8,000, three 3×3/64 conv layers with pad 1, Adam. */
const cnnSpec = (batchSize: number, space: Record<string, unknown> = {}) =>
  validSpec({
    name: "big-cnn",
    dataset: { name: "mnist", trainSize: 8000, valSize: 500 },
    model: { type: "cnn", conv: [0, 1, 2].map(() => ({ filters: 64, size: 3, pad: 1 })), hidden: [] },
    training: { epochs: 1, batchSize, optimizer: "adam" },
    space: { "training.learningRate": { type: "loguniform", low: 1e-4, high: 1e-1 }, ...space },
  });

describe("the per-trial memory budget (HPS_TRIAL_MEMORY_MB)", () => {
  const t = useTestApi();  const post = (payload: unknown) => postSearch(t, payload);

  it("refuses the CNN with batch 8,000 (422 naming the estimate, the limit and the driving fields); nothing is stored", async () => {
    const before = await t.db.rows.counts();
    const res = await post(cnnSpec(8000));
    expect(res.statusCode).toBe(422);
    const [issue] = res.json().issues;
    expect(issue.path).toBe("training.batchSize");
    expect(issue.message).toMatch(/needs an estimated [\d,]+ MB, over the 1,536 MB per-trial limit \(HPS_TRIAL_MEMORY_MB\)/);
    expect(issue.message).toMatch(/activations and gradients of a batch of 8000/);
    expect(await t.db.rows.counts()).toEqual(before);
  });

  it("accepts the same CNN with batch 64", async () => {
    expect((await post(cnnSpec(64))).statusCode).toBe(201);
  });

  it("judges the largest trial the space can produce, and names the space dimension that drives it", async () => {
    const res = await post(cnnSpec(64, { "training.batchSize": { type: "choice", values: [32, 64, 8000] } }));
    expect(res.statusCode).toBe(422);
    expect(res.json().issues[0].path).toBe("space.training.batchSize");
  });
});
