/**
 * Every rejected submission returns its status and the offending path, and stores nothing
 * (rows are counted before and after each request).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "@hps/contracts";
import { createTestApi, validSpec, type TestApi } from "./test-kit.ts";

describe("rejected requests", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ bodyLimit: 64 * 1024 });
  });
  afterAll(async () => {
    await t.close();
  });

  /** Sends a raw body; asserts the status, that an issue names `path`, and that nothing was stored. */
  async function rejects(payload: string, status: number, path: string | null, headers: Record<string, string> = {}) {
    const before = await t.db.rows.counts();
    const res = await t.app.inject({ method: "POST", url: "/v1/searches", payload, headers: { "content-type": "application/json", ...headers } });
    expect(res.statusCode, res.body).toBe(status);
    const body = ErrorBody.parse(res.json());
    if (path !== null) expect(body.issues?.map((i) => i.path), res.body).toContain(path);
    expect(await t.db.rows.counts()).toEqual(before);
    return body;
  }
  const json = (spec: unknown) => JSON.stringify(spec);
  const space = (dims: Record<string, unknown>) => validSpec({ space: dims });

  it("malformed JSON → 400 invalid_request at path '' with a clear message", async () => {
    const body = await rejects('{"name": "x",', 400, "");
    expect(body.error).toBe("invalid_request");
    expect(body.issues![0]!.message).toMatch(/not valid JSON/);
  });

  it("unknown keys, top-level and nested, are named", async () => {
    await rejects(json({ ...validSpec(), extra: 1 }), 400, "extra");
    await rejects(json(validSpec({ model: { type: "mlp", foo: true } })), 400, "model.foo");
    await rejects(json(space({ "training.l2": { type: "uniform", low: 0, high: 1, step: 2 } })), 400, "space.training.l2.step");
  });

  it("wrong types", async () => {
    await rejects(json(validSpec({ seed: "seven" })), 400, "seed");
    await rejects(json(validSpec({ training: { epochs: 2.5 } })), 400, "training.epochs");
    await rejects(json(validSpec({ strategy: { type: "random", trials: "many" } })), 400, "strategy.trials");
    await rejects(json([1, 2]), 400, "");
  });

  it("ranges: low ≥ high, log-uniform with low ≤ 0", async () => {
    await rejects(json(space({ "training.learningRate": { type: "uniform", low: 0.5, high: 0.1 } })), 400, "space.training.learningRate.low");
    await rejects(json(space({ "training.l2": { type: "loguniform", low: 0, high: 0.1 } })), 400, "space.training.l2.low");
  });

  it("a space key that names no config field", async () => {
    await rejects(json(space({ "training.nope": { type: "uniform", low: 0, high: 1 } })), 400, "space.training.nope");
  });

  it("unknown dataset → 422 at dataset.name", async () => {
    const body = await rejects(json(validSpec({ dataset: { name: "cifar10" } })), 422, "dataset.name");
    expect(body.error).toBe("unprocessable");
  });

  it("a grid of a million trials → 422 naming the size and the cap", async () => {
    const dims = Object.fromEntries(
      ["training.learningRate", "training.l2", "training.momentum", "model.dropout", "training.beta1", "training.beta2"].map((k) => [
        k,
        { type: "uniform", low: 0.01, high: 0.5, points: 10 },
      ]),
    );
    const body = await rejects(json(validSpec({ space: dims, strategy: { type: "grid" } })), 422, "strategy");
    expect(body.error).toBe("unprocessable");
    expect(body.issues![0]!.message).toMatch(/1,000,000/);
    expect(body.issues![0]!.message).toMatch(/100,000/);
  });

  it("a numeric grid dimension without points → 422 at space.<key>.points", async () => {
    await rejects(json(validSpec({ strategy: { type: "grid" } })), 422, "space.training.learningRate.points");
  });

  it("impossible architectures → 422 naming the layer, in the base model or in a choice of the space", async () => {
    const mnistCnn = (conv: unknown[]) => ({ type: "cnn", hidden: [32], conv });
    await rejects(json(validSpec({ model: { type: "cnn", conv: [{ filters: 4, size: 3 }] } })), 422, "model.type");
    const big = await rejects(json(validSpec({ dataset: { name: "mnist" }, model: mnistCnn([{ filters: 4, size: 10, stride: 3 }, { filters: 4, size: 9 }]) })), 422, "model.conv.1");
    expect(big.issues![0]!.message).toMatch(/conv block 1/);
    await rejects(
      json(
        validSpec({
          dataset: { name: "mnist" },
          model: mnistCnn([{ filters: 4, size: 3 }]),
          space: { "model.conv": { type: "choice", values: [[{ filters: 4, size: 3 }], [{ filters: 4, size: 10, stride: 3 }, { filters: 4, size: 9 }]] } },
        }),
      ),
      422,
      "space.model.conv.values.1",
    );
    // A dataset choice that makes the (CNN) model impossible.
    await rejects(
      json(validSpec({ dataset: { name: "mnist" }, model: mnistCnn([{ filters: 4, size: 3 }]), space: { "dataset.name": { type: "choice", values: ["mnist", "spiral"] } } })),
      422,
      "space.dataset.name.values.1",
    );
  });

  it("fine-tuning that would load nothing, or re-initialise a frozen layer → 422 at model.initFrom.reinitLayers", async () => {
    const initFrom = (freezeLayers: number, reinitLayers: number) => ({ trialId: "00000000-0000-4000-8000-000000000000", freezeLayers, reinitLayers });
    const all = await rejects(json(validSpec({ model: { hidden: [8], initFrom: initFrom(0, 2) } })), 422, "model.initFrom.reinitLayers");
    expect(all.issues![0]!.message).toMatch(/nothing would be loaded/);
    const overlap = await rejects(json(validSpec({ model: { hidden: [8, 8], initFrom: initFrom(2, 2) } })), 422, "model.initFrom.reinitLayers");
    expect(overlap.issues![0]!.message).toMatch(/frozen/);
    await rejects(json(validSpec({ model: { hidden: [8], initFrom: { ...initFrom(0, 1), reinitLayers: -1 } } })), 400, "model.initFrom.reinitLayers");
  });

  it("impossible dataset settings → 422 at the field, in the base or at a range end of the space", async () => {
    await rejects(json(validSpec({ dataset: { name: "mnist", trainSize: 9900, valSize: 500 } })), 422, "dataset.trainSize");
    await rejects(json(validSpec({ dataset: { name: "mnist" }, space: { "dataset.trainSize": { type: "int", low: 100, high: 20000 } } })), 422, "space.dataset.trainSize.high");
  });

  it("every 422 issue is reported at once: a planning problem and an impossible architecture", async () => {
    const body = await rejects(
      json(validSpec({ dataset: { name: "mnist" }, model: { type: "cnn", conv: [{ filters: 4, size: 10, stride: 3 }, { filters: 4, size: 9 }] }, strategy: { type: "grid" } })),
      422,
      "space.training.learningRate.points",
    );
    expect(body.issues!.map((i) => i.path)).toContain("model.conv.1");
  });

  it("a body over the limit → 413 payload_too_large", async () => {
    const huge = json(validSpec({ name: "x".repeat(100 * 1024) }));
    const body = await rejects(huge, 413, null);
    expect(body.error).toBe("payload_too_large");
  });

  it("a non-JSON content-type → 415 with a message", async () => {
    const body = await rejects("name=x", 415, null, { "content-type": "application/x-www-form-urlencoded" });
    expect(body.message).toMatch(/application\/json/);
  });

  it("bad query parameters → 400 naming the parameter", async () => {
    for (const [url, path] of [
      ["/v1/searches?limit=0", "limit"],
      ["/v1/searches?limit=abc", "limit"],
      ["/v1/searches?cursor=%%%", "cursor"],
      ["/v1/searches?bogus=1", "bogus"],
    ] as const) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path), url).toContain(path);
    }
  });
});
