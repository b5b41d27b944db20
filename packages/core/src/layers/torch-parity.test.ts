import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModelConfig } from "@hps/contracts";
import type { Layer } from "../layer.ts";
import { buildModel } from "../model/build-model.ts";
import { Rng } from "../rng.ts";
import { Affine } from "./affine.ts";
import { BatchNorm } from "./batch-norm.ts";
import { Conv } from "./conv.ts";
import { MaxPool } from "./max-pool.ts";
import { createLoss } from "../losses/registry.ts";
import { createActivation } from "./registry.ts";
import { arena } from "../test-kit.ts";

/** PyTorch 1.13's answers for the same inputs, recorded by fixtures/gen_layers.py. */
interface LayerCase {
  kind: string;
  config: Record<string, number>;
  inShape: number[];
  batch: number;
  training: boolean;
  x: number[];
  params: Record<string, number[]>;
  dout: number[];
  out: number[];
  dx: number[];
  grads: Record<string, number[]>;
  buffersBefore?: Record<string, number[]>;
  buffersAfter?: Record<string, number[]>;
}
interface LossCase { kind: string; scores: number[]; labels: number[]; classes: number; loss: number; dscores: number[] }
interface ModelCase {
  config: unknown;
  inShape: number[];
  classes: number;
  batch: number;
  x: number[];
  labels: number[];
  params: Record<string, number[]>;
  loss: number;
  dx: number[];
  grads: Record<string, number[]>;
  buffersAfter?: Record<string, number[]>;
}
const fixture = JSON.parse(readFileSync(new URL("../../fixtures/layers.json", import.meta.url), "utf8")) as {
  torch: string;
  layers: LayerCase[];
  losses: LossCase[];
  models: ModelCase[];
};

/**
 * Float32 agreement: |ours − torch| ≤ ATOL + RTOL·|torch| elementwise. Both sides round every
 * operation to float32 but sum in different orders (and we accumulate some sums in float64),
 * so differences of a few float32 ulps of the largest term are expected.
 */
const ATOL = 1e-5;
const RTOL = 1e-4;
function expectClose(ours: ArrayLike<number>, torch: readonly number[], what: string): void {
  expect(ours.length, `${what}: length`).toBe(torch.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < torch.length; i++) {
    const excess = Math.abs(ours[i]! - torch[i]!) - (ATOL + RTOL * Math.abs(torch[i]!));
    if (!(excess <= worst)) {
      worst = excess;
      at = i;
    }
  }
  expect(at, `${what}: element ${at} is ${ours[at]} vs torch ${torch[at]}`).toBe(-1);
}

function makeLayer(c: LayerCase): Layer {
  switch (c.kind) {
    case "affine":
      return new Affine(c.inShape, { out: c.config.out! });
    case "batch_norm": {
      const bn = new BatchNorm(c.inShape);
      bn.runningMean.set(c.buffersBefore!.runningMean!);
      bn.runningVar.set(c.buffersBefore!.runningVar!);
      return bn;
    }
    case "conv":
      return new Conv(c.inShape, { filters: c.config.filters!, size: c.config.size!, stride: c.config.stride!, pad: c.config.pad! });
    case "max_pool":
      return new MaxPool(c.inShape, { size: c.config.size!, stride: c.config.stride! });
    default:
      return createActivation(c.kind, c.inShape, { leakySlope: c.config.slope, eluAlpha: c.config.alpha, maxoutPieces: c.config.pieces });
  }
}

describe(`PyTorch ${fixture.torch} parity`, () => {
  it.each(fixture.layers.map((c, i) => [`${c.kind} ${JSON.stringify(c.config)} [${c.inShape}]${c.training ? "" : " eval"} #${i}`, c] as const))(
    "layer %s: output, dx, param grads, running stats",
    (_, c) => {
      const layer = makeLayer(c);
      for (const p of layer.params()) p.value.set(c.params[p.name]!);
      const out = layer.forward(arena(c.x), c.batch, c.training);
      expectClose(out, c.out, "out");
      const dx = layer.backward(arena(c.dout));
      expectClose(dx, c.dx, "dx");
      for (const p of layer.params()) expectClose(p.grad, c.grads[p.name]!, `grad ${p.name}`);
      if (c.buffersAfter) {
        const bn = layer as BatchNorm;
        expectClose(bn.runningMean, c.buffersAfter.runningMean!, "running mean");
        expectClose(bn.runningVar, c.buffersAfter.runningVar!, "running var");
      }
    },
  );

  it.each(fixture.losses.map((c) => [c.kind, c] as const))("loss %s: value and d/dscores", (_, c) => {
    const loss = createLoss(c.kind);
    const value = loss.forward(arena(c.scores), Int32Array.from(c.labels), c.labels.length, c.classes);
    expect(Math.abs(value - c.loss)).toBeLessThan(ATOL + RTOL * Math.abs(c.loss));
    expectClose(loss.backward(), c.dscores, "dscores");
  });

  it.each(fixture.models.map((c) => [(c.config as { type: string }).type, c] as const))(
    "model %s from buildModel: loss, dx, every param grad, running stats",
    (_, c) => {
      const net = buildModel(ModelConfig.parse(c.config), c.inShape, c.classes, new Rng(0));
      expect(net.params().map((p) => p.name).sort()).toEqual(Object.keys(c.params).sort());
      for (const p of net.params()) p.value.set(c.params[p.name]!);
      const loss = createLoss("softmax");
      const value = loss.forward(net.forward(arena(c.x), c.batch, true), Int32Array.from(c.labels), c.batch, c.classes);
      expect(Math.abs(value - c.loss)).toBeLessThan(ATOL + RTOL * Math.abs(c.loss));
      expectClose(net.backward(loss.backward()), c.dx, "dx");
      for (const p of net.params()) expectClose(p.grad, c.grads[p.name]!, `grad ${p.name}`);
      for (const b of net.buffers()) expectClose(b.value, c.buffersAfter![b.name]!, b.name);
    },
  );
});
